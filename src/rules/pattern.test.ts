import { describe, expect, test } from 'bun:test'
import { createIndex, expandGroups, parseIntRange } from './pattern.ts'

const idx = (kind: Parameters<typeof createIndex>[0], pats: string[], icase = false) => {
  const i = createIndex<string>(kind, icase)
  pats.forEach((p, k) => i.add(p, `v${k}`))
  return i
}

describe('pattern indexes', () => {
  test('str: exact, -i folds case, first value wins', () => {
    const i = idx('str', ['www.example.com', 'API', 'www.example.com'])
    expect(i.lookup('www.example.com')).toBe('v0')
    expect(i.lookup('api')).toBeUndefined()
    expect(idx('str', ['API'], true).lookup('api')).toBe('v0')
    expect(i.lookup(42)).toBeUndefined()
    expect(idx('str', ['42']).lookup(42)).toBe('v0')
  })
  test('beg and end: longest prefix / suffix', () => {
    const b = idx('beg', ['/api', '/api/v2', '/static'])
    expect(b.lookup('/api/v2/x')).toBe('v1')
    expect(b.lookup('/api/v1')).toBe('v0')
    expect(b.lookup('/x')).toBeUndefined()
    const e = idx('end', ['.css', '.JS'], true)
    expect(e.lookup('/a/b.js')).toBe('v1')
    expect(e.lookup('/a.css')).toBe('v0')
  })
  test('sub, dom, dir', () => {
    expect(idx('sub', ['bot']).lookup('Googlebot/2.1')).toBe('v0')
    const dom = idx('dom', ['example.com'])
    expect(dom.lookup('www.example.com')).toBe('v0')
    expect(dom.lookup('example.com:8080')).toBe('v0')
    expect(dom.lookup('badexample.com')).toBeUndefined()
    const dir = idx('dir', ['images'])
    expect(dir.lookup('/static/images/a.png')).toBe('v0')
    expect(dir.lookup('/static/imagesX/a.png')).toBeUndefined()
  })
  test('reg: first match; -i; invalid regex is refused', () => {
    const r = idx('reg', ['^/a', '\\.php$'])
    expect(r.lookup('/index.php')).toBe('v1')
    expect(idx('reg', ['^/ADMIN'], true).lookup('/admin/x')).toBe('v0')
    expect(() => idx('reg', ['(unclosed'])).toThrow(/invalid regular expression/)
  })
  test('int: points, ranges, open ranges; len matches the length', () => {
    const i = idx('int', ['80', '1024:65535', ':10'])
    expect(i.lookup(80)).toBe('v0')
    expect(i.lookup('8080')).toBe('v1')
    expect(i.lookup(-5)).toBe('v2')
    expect(i.lookup(500)).toBeUndefined()
    expect(idx('len', ['3:5']).lookup('abcd')).toBe('v0')
    expect(idx('len', ['3:5']).lookup('ab')).toBeUndefined()
    expect(parseIntRange('10:')).toEqual([10, Infinity])
    expect(() => idx('int', ['abc'])).toThrow(/invalid integer pattern/)
  })
  test('ip: longest prefix, IPv6, mapped IPv4', () => {
    const i = idx('ip', ['10.0.0.0/8', '10.1.0.0/16', '192.168.1.7', '2001:db8::/32'])
    expect(i.lookup('10.1.2.3')).toBe('v1')
    expect(i.lookup('10.2.2.3')).toBe('v0')
    expect(i.lookup('192.168.1.7')).toBe('v2')
    expect(i.lookup('192.168.1.8')).toBeUndefined()
    expect(i.lookup('2001:db8:1::5')).toBe('v3')
    expect(i.lookup('::ffff:10.1.0.1')).toBe('v1')
    expect(i.lookup('not an ip')).toBeUndefined()
    // An integer is an IPv4 address (HAProxy's int-to-ip cast): 0x0a010203 is 10.1.2.3.
    expect(i.lookup(0x0a010203)).toBe('v1')
    expect(i.lookup(0xc0a80107)).toBe('v2')
    expect(i.delete('10.1.0.0/16')).toBe(true)
    expect(i.lookup('10.1.2.3')).toBe('v0')
  })
  test('bin matches hex patterns; bool and found take none', () => {
    expect(idx('bin', ['4745']).lookup(new Uint8Array([0x47, 0x45]))).toBe('v0')
    expect(idx('bin', ['809fff']).lookup(new Uint8Array([0x80, 0x9f, 0xff]))).toBe('v0') // every byte as itself, 0x80-0x9f too
    expect(createIndex('found').lookup('')).toBe(true as never)
    expect(createIndex('bool').lookup(0)).toBeUndefined()
    expect(() => createIndex('bool').add('x', true)).toThrow(/takes no pattern/)
  })
  test('edits: set replaces, delete removes every copy, clear empties', () => {
    for (const kind of ['str', 'beg', 'end', 'sub', 'reg', 'dom', 'dir'] as const) {
      const i = idx(kind, ['abc', 'abc'])
      i.set('abc', 'new')
      expect(i.lookup('abc')).toBe(kind === 'str' || kind === 'beg' || kind === 'end' ? 'new' : 'new')
      expect(i.delete('abc')).toBe(true)
      expect(i.lookup('abc')).toBeUndefined()
      i.add('x', 'y')
      i.clear()
      expect(i.size).toBe(0)
    }
  })
  test('100,000 entries: every kind still answers right', () => {
    const n = 100_000
    const str = createIndex<string>('str')
    const beg = createIndex<string>('beg')
    const ip = createIndex<string>('ip')
    for (let k = 0; k < n; k++) {
      str.add(`host${k}.example.com`, `b${k}`)
      beg.add(`/p${k}/`, `b${k}`)
      ip.add(`10.${(k >> 8) & 255}.${k & 255}.0/24`, `b${k}`)
    }
    expect(str.size).toBe(n)
    expect(str.lookup('host77777.example.com')).toBe('b77777')
    expect(beg.lookup('/p99999/index.html')).toBe('b99999')
    expect(beg.lookup('/p9999/x')).toBe('b9999')
    expect(ip.lookup(`10.${(65535 >> 8) & 255}.${65535 & 255}.9`)).toBe('b65535')
  })
  test('expandGroups writes \\N back-references as HAProxy does', () => {
    const m = /^(\w+):(\d+)(x)?$/.exec('host:80')!
    expect(expandGroups('\\1', m)).toBe('host')
    expect(expandGroups('https://\\1:\\2/', m)).toBe('https://host:80/')
    expect(expandGroups('[\\3][\\7]', m)).toBe('[][]') // a group that took no part, one that does not exist
    expect(expandGroups('\\0!', m)).toBe('host:80!')
    expect(expandGroups('\\\\1', m)).toBe('\\host') // the first backslash is not followed by a digit
    expect(expandGroups('a\\b\\', m)).toBe('a\\b\\')
    expect(expandGroups('plain', m)).toBe('plain')
  })
})
