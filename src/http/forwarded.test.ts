import { describe, expect, test } from 'bun:test'
import { addForwardedFor, addOriginalTo, compileForwardFor, compileOriginalTo } from './forwarded.ts'
import { createRequestParser } from './h1-parser.ts'
import type { H1Head } from './types.ts'

function request(headers = ''): H1Head {
  const b = Buffer.from(`GET / HTTP/1.1\r\nHost: h\r\n${headers}\r\n`, 'latin1')
  const r = createRequestParser({ maxHead: 8192, maxHeaders: 100 }).parse(b, b.length)
  if (r.kind !== 'done') throw new Error(JSON.stringify(r))
  return r.head
}

function header(h: H1Head, name: string): string | undefined {
  const i = h.headers.find(name.toLowerCase(), 0)
  return i < 0 ? undefined : h.headers.value(i)
}

describe('option forwardfor', () => {
  test('adds the client address, or appends it to the chain an earlier proxy started', () => {
    const ff = compileForwardFor({ header: 'X-Forwarded-For', ifNone: false })
    const a = request()
    addForwardedFor(ff, a, '::ffff:192.0.2.7')
    expect(header(a, 'x-forwarded-for')).toBe('192.0.2.7')
    const b = request('X-Forwarded-For: 203.0.113.1\r\n')
    addForwardedFor(ff, b, '192.0.2.7')
    expect(header(b, 'x-forwarded-for')).toBe('203.0.113.1, 192.0.2.7')
  })

  test('except NET: clients in the network, IPv4 or IPv6, get no header', () => {
    const v4 = compileForwardFor({ header: 'X-Forwarded-For', ifNone: false, except: '127.0.0.0/8' })
    const v6 = compileForwardFor({ header: 'X-Client', ifNone: false, except: '2001:db8::/32' })
    const cases: [typeof v4, string, string | undefined][] = [
      [v4, '127.0.0.1', undefined], [v4, '::ffff:127.0.0.9', undefined], [v4, '10.0.0.1', '10.0.0.1'], [v4, '::1', '::1'],
      [v6, '2001:db8::5', undefined], [v6, '2001:db9::5', '2001:db9::5'], [v6, '10.0.0.1', '10.0.0.1'],
    ]
    for (const [ff, client, want] of cases) {
      const h = request()
      addForwardedFor(ff, h, client)
      expect([client, header(h, ff.header)]).toEqual([client, want])
    }
  })
})

describe('option originalto', () => {
  test('sets the address the client reached, except for destinations in NET', () => {
    const ot = compileOriginalTo({ header: 'X-Original-To', except: '10.0.0.0/24' })
    const a = request('X-Original-To: forged\r\n')
    addOriginalTo(ot, a, '192.0.2.1')
    expect(header(a, 'x-original-to')).toBe('192.0.2.1')
    const b = request()
    addOriginalTo(ot, b, '10.0.0.80')
    expect(header(b, 'x-original-to')).toBeUndefined()
  })
})
