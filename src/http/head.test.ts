import { describe, expect, test } from 'bun:test'
import { createRequestParser, createResponseParser } from './h1-parser.ts'
import { Head, latin1 } from './head.ts'
import type { H1Head } from './types.ts'

function bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i)
  return b
}

function text(b: Uint8Array): string {
  return latin1(b, 0, b.length)
}

function parse(msg: string, kind: 'request' | 'response' = 'request'): H1Head {
  const p = (kind === 'request' ? createRequestParser : createResponseParser)({ maxHead: 8192, maxHeaders: 100 })
  const b = bytes(msg)
  const r = p.parse(b, b.length)
  if (r.kind !== 'done') throw new Error(JSON.stringify(r))
  return r.head
}

const GET = 'GET /a HTTP/1.1\r\nHost: example.com\r\nX-Trace: 1\r\nCookie: a=b\r\nx-trace: 2\r\n\r\n'

describe('Head', () => {
  test('an unchanged head encodes as the very bytes received (a view, not a copy)', () => {
    const b = bytes(GET + 'BODY')
    const r = createRequestParser({ maxHead: 8192, maxHeaders: 100 }).parse(b, b.length)
    if (r.kind !== 'done') throw new Error('not done')
    const out = r.head.encode()
    expect(out.buffer).toBe(b.buffer)
    expect(text(out)).toBe(GET)
  })

  test('version 20 (the HTTP/1.1 form of an HTTP/2 request) leaves the head unchanged; 10 changes it', () => {
    const h = parse(GET)
    h.version = 20
    expect([h.version, h.changed, h.verbatim, text(h.encode())]).toEqual([20, false, true, GET])
    h.version = 10
    expect([h.changed, text(h.encode()).split('\r\n')[0]]).toEqual([true, 'GET /a HTTP/1.0'])
  })

  test('find / get compare names without case; find resumes after `from`', () => {
    const h = parse(GET)
    expect(h.headers.find('x-trace', 0)).toBe(1)
    expect(h.headers.find('x-trace', 2)).toBe(3)
    expect(h.headers.find('x-trace', 4)).toBe(-1)
    expect(h.headers.get('cookie')).toBe('a=b')
    expect(h.headers.get('missing')).toBeUndefined()
    expect(h.headers.name(3)).toBe('x-trace')
    expect(h.headers.name(99)).toBe('')
  })

  test('add appends; set replaces every same-named field by one, in place of the first', () => {
    const h = parse(GET)
    h.headers.add('X-Forwarded-For', '10.0.0.1')
    expect(h.changed).toBe(true)
    h.headers.set('X-Trace', 'z')
    expect(h.headers.count).toBe(4)
    expect(h.headers.get('x-forwarded-for')).toBe('10.0.0.1')
    expect(h.headers.find('x-forwarded-for', 0)).toBe(3)
    expect(text(h.encode())).toBe('GET /a HTTP/1.1\r\nHost: example.com\r\nX-Trace: z\r\nCookie: a=b\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n')
    h.headers.set('Via', '1.1 edgelb')
    expect(h.headers.get('via')).toBe('1.1 edgelb')
  })

  test('remove and removeAt', () => {
    const h = parse(GET)
    expect(h.headers.remove('x-trace')).toBe(2)
    expect(h.headers.remove('x-trace')).toBe(0)
    h.headers.removeAt(0)
    expect(text(h.encode())).toBe('GET /a HTTP/1.1\r\nCookie: a=b\r\n\r\n')
  })

  test('setValue keeps the received name and its case', () => {
    const h = parse(GET)
    h.headers.setValue(3, 'three')
    expect(h.headers.name(3)).toBe('x-trace')
    expect(text(h.encode())).toContain('\r\nx-trace: three\r\n')
  })

  test('adding many fields grows past the parsed count', () => {
    const h = parse('GET / HTTP/1.0\r\n\r\n')
    for (let i = 0; i < 50; i++) h.headers.add(`X-${i}`, String(i))
    expect(h.headers.count).toBe(50)
    expect(h.headers.get('x-49')).toBe('49')
    h.headers.removeAt(0)
    expect(h.headers.name(0)).toBe('X-1')
  })

  test('editing the request line rewrites it; the fields are kept', () => {
    const h = parse(GET)
    h.uri = '/b?c'
    h.method = 'POST'
    h.version = 10
    expect(text(h.encode())).toBe('POST /b?c HTTP/1.0\r\nHost: example.com\r\nX-Trace: 1\r\nCookie: a=b\r\nx-trace: 2\r\n\r\n')
  })

  test('editing a status line', () => {
    const h = parse('HTTP/1.1 200 OK\r\nServer: x\r\n\r\n', 'response')
    h.status = 503
    h.reason = 'Service Unavailable'
    expect(text(h.encode())).toBe('HTTP/1.1 503 Service Unavailable\r\nServer: x\r\n\r\n')
  })

  test('a field edit keeps the start line bytes as received', () => {
    const h = parse('HTTP/1.1 200\r\nServer: x\r\n\r\n', 'response')
    h.headers.remove('server')
    expect(text(h.encode())).toBe('HTTP/1.1 200\r\n\r\n')
  })

  test('values are latin1: obs-text bytes come back as the same code units', () => {
    const h = parse('GET / HTTP/1.1\r\nHost: a\r\nX: \xe9\xff\x80 and a rather long value of more than sixteen bytes \xe9\r\n\r\n')
    expect(h.headers.get('x')).toBe('\xe9\xff\x80 and a rather long value of more than sixteen bytes \xe9')
    h.headers.add('Y', '\xe9')
    expect(text(h.encode())).toContain('\r\nY: \xe9\r\n')
  })
})

describe('values read once', () => {
  test('a value read before an edit is not served stale after it', () => {
    const h = parse(GET)
    const hl = h.headers
    expect(hl.value(1)).toBe('1')
    expect(hl.value(2)).toBe('a=b')
    hl.removeAt(0)
    expect(hl.value(0)).toBe('1')
    expect(hl.value(1)).toBe('a=b')
    hl.setValue(1, 'c=d')
    expect(hl.value(1)).toBe('c=d')
    expect(hl.get('x-trace')).toBe('1')
    expect(text(h.encode())).toBe('GET /a HTTP/1.1\r\nX-Trace: 1\r\nCookie: c=d\r\nx-trace: 2\r\n\r\n')
  })
})

describe('Head recycling', () => {
  test('a recycled head comes back as the next message, with nothing of the one before', () => {
    const first = parse('POST /old HTTP/1.0\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\n')
    first.headers.add('X-Added', 'yes')
    first.uri = '/edited'
    expect(first.headers.get('host')).toBe('a')
    Head.recycle(first)
    const next = parse('GET /new HTTP/1.1\r\nHost: b\r\n\r\n')
    expect(next).toBe(first) // the same object, made anew
    expect(next.method).toBe('GET')
    expect(next.uri).toBe('/new')
    expect(next.version).toBe(11)
    expect(next.framing).toBe('none')
    expect(next.contentLength).toBe(-1)
    expect(next.connClose).toBe(false)
    expect(next.changed).toBe(false)
    expect(next.headers.count).toBe(1)
    expect(next.headers.get('host')).toBe('b')
    expect(next.headers.find('x-added', 0)).toBe(-1)
    expect(text(next.encode())).toBe('GET /new HTTP/1.1\r\nHost: b\r\n\r\n')
  })

  test('recycling twice, or a head already recycled, changes nothing', () => {
    const h = parse(GET)
    Head.recycle(h)
    Head.recycle(h)
    const a = parse('GET /a HTTP/1.1\r\nHost: x\r\n\r\n')
    const b = parse('GET /b HTTP/1.1\r\nHost: y\r\n\r\n')
    expect(a).not.toBe(b)
    expect(a.uri).toBe('/a')
    expect(b.uri).toBe('/b')
  })

  test('a parser reuses a recycled head\'s offsets array when it is long enough', () => {
    const p = createResponseParser({ maxHead: 8192, maxHeaders: 100 })
    const msg = bytes('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    const r1 = p.parse(msg, msg.length)
    if (r1.kind !== 'done') throw new Error('not done')
    const h1 = r1.head
    p.reset()
    Head.recycle(h1)
    const r2 = p.parse(msg, msg.length)
    if (r2.kind !== 'done') throw new Error('not done')
    expect(r2.head.status).toBe(200)
    expect(r2.head.contentLength).toBe(0)
    expect(r2.head.headers.count).toBe(1)
    // stale entries from before do not show: the offsets are rewritten for what is read
    const big = bytes('HTTP/1.1 404 Not Found\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n')
    p.reset()
    Head.recycle(r2.head)
    const r3 = p.parse(big, big.length)
    if (r3.kind !== 'done') throw new Error('not done')
    expect(r3.head.reason).toBe('Not Found')
    expect([r3.head.headers.value(0), r3.head.headers.value(1), r3.head.headers.value(2)]).toEqual(['1', '2', '3'])
  })
})
