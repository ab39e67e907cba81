import { expect, test } from 'bun:test'
import dgram from 'node:dgram'
import { DnsClient } from './dns-client.ts'
import { DNS_A } from './dns-packet.ts'

/** An answer to `query` with one A record 10.0.0.1. */
function answer(query: Buffer): Buffer {
  const head = Buffer.from(query.subarray(0, 12))
  head.writeUInt16BE(0x8180, 2)
  head.writeUInt16BE(1, 6)
  head.writeUInt16BE(0, 10)
  const qEnd = query.indexOf(0, 12) + 5
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1])
  return Buffer.concat([head, query.subarray(12, qEnd), rr])
}

async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  return s
}

test('an answer from the name server counts; the same answer from another address is ignored', async () => {
  const ns = await bound()
  const forger = await bound()
  let honest = true
  ns.on('message', (q, from) => {
    const a = answer(q)
    if (honest) ns.send(a, from.port, from.address)
    else forger.send(a, from.port, from.address)
  })
  try {
    const c = new DnsClient([{ host: '127.0.0.1', port: ns.address().port }], { retries: 1, timeoutRetry: 100, payloadSize: 512 })
    const ok = await c.query('a.test', DNS_A)
    expect(ok.kind).toBe('valid')
    honest = false
    expect((await c.query('a.test', DNS_A)).kind).toBe('timeout')
    c.close()
  } finally {
    ns.close()
    forger.close()
  }
})
