import { describe, expect, test } from 'bun:test'
import { createRequestParser, createResponseParser } from './h1-parser.ts'
import { latin1 } from './head.ts'
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
