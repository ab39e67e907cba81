import { expect, test } from 'bun:test'
import { DNS_A, DNS_AAAA, DNS_SRV, encodeQuery, parseAnswer } from './dns-packet.ts'

/** An answer to `query` carrying `records` (each: type, rdata). */
function answerTo(query: Uint8Array, records: [number, number[]][], flags = 0x8180): Buffer {
  const q = Buffer.from(query)
  const head = Buffer.from(q.subarray(0, 12))
  head.writeUInt16BE(flags, 2)
  head.writeUInt16BE(records.length, 6)
  head.writeUInt16BE(0, 10)
  const qEnd = q.indexOf(0, 12) + 5
  const rrs = records.map(([type, rdata]) => {
    const rr = Buffer.alloc(12 + rdata.length)
    rr.writeUInt16BE(0xc00c, 0)
    rr.writeUInt16BE(type, 2)
    rr.writeUInt16BE(1, 4)
    rr.writeUInt32BE(300, 6)
    rr.writeUInt16BE(rdata.length, 10)
    Buffer.from(rdata).copy(rr, 12)
    return rr
  })
  return Buffer.concat([head, q.subarray(12, qEnd), ...rrs])
}

test('a query names the question, and says EDNS0 when more than 512 bytes are accepted', () => {
  const q = Buffer.from(encodeQuery(0x1234, 'App.Example.com', DNS_A))
  expect(q.readUInt16BE(0)).toBe(0x1234)
  expect(q.subarray(12, 29).toString('latin1')).toBe('\x03App\x07Example\x03com\x00')
  expect(q.readUInt16BE(10)).toBe(0)
  const e = Buffer.from(encodeQuery(1, 'a.b', DNS_A, 4096))
  expect(e.readUInt16BE(10)).toBe(1)
  expect(e.readUInt16BE(e.length - 8)).toBe(4096)
})

test('A, AAAA and SRV records, names through compression pointers', () => {
  const q = encodeQuery(7, 'svc.test', DNS_SRV)
  const aaaa = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
  const srv = [0, 10, 0, 5, 0x1f, 0x90, 0xc0, 0x0c]
  const a = parseAnswer(answerTo(q, [[DNS_A, [10, 0, 0, 1]], [DNS_AAAA, aaaa], [DNS_SRV, srv]]))!
  expect(a.question).toBe('svc.test')
  expect(a.answers).toEqual([
    { type: DNS_A, name: 'svc.test', ttl: 300, address: '10.0.0.1' },
    { type: DNS_AAAA, name: 'svc.test', ttl: 300, address: '2001:db8::1' },
    { type: DNS_SRV, name: 'svc.test', ttl: 300, priority: 10, weight: 5, port: 8080, target: 'svc.test' },
  ])
})

test('what does not parse is null: cut short, a pointer loop, a query', () => {
  const q = encodeQuery(7, 'a.test', DNS_A)
  const good = answerTo(q, [[DNS_A, [10, 0, 0, 1]]])
  for (let n = 0; n < good.length; n++) {
    const r = parseAnswer(good.subarray(0, n))
    if (n < good.length) expect(r === null || r.answers.length === 0).toBe(true)
  }
  const loop = Buffer.from(good)
  loop.writeUInt16BE(0xc000 | (good.length - 16), good.length - 16) // the record's name points at itself
  expect(parseAnswer(loop)).toBeNull()
  expect(parseAnswer(q)).toBeNull()
  expect(parseAnswer(answerTo(q, [], 0x8183))!.rcode).toBe(3)
  expect(parseAnswer(answerTo(q, [], 0x8380))!.truncated).toBe(true)
})
