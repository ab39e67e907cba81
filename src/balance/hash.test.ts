import { describe, expect, test } from 'bun:test'
import { makeServers, parseArgs, runLbConformance } from '../../test/conformance/lb.ts'
import { configErrorOf } from '../../test/support/config.ts'
import { addressBytes } from '../core/ip.ts'
import { request, session, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { hash } from './hash.ts'
import { source } from './source.ts'
import type { HashKey } from './types.ts'

runLbConformance(hash, { skipsFull: false })

describe('balance hash EXPR', () => {
  const keyOf = (expr: string, s = stream({ req: request('GET', '/a/b?id=7', [['Cookie', 'SID=abc'], ['X-Forwarded-For', '10.1.2.3']]) })): HashKey | undefined => {
    const k = hash.key!(parseArgs(hash, expr).args, testCtx())
    if (k.from !== 'request') throw new Error('not a request key')
    expect(k.readsSession).toBe(true)
    return k.get(s)
  }

  test('a string sample is the key', () => {
    expect(keyOf('req.cook(SID)')).toBe('abc')
    expect(keyOf('path')).toBe('/a/b')
    expect(keyOf('url_param(id),concat(-x)')).toBe('7-x')
  })

  test("an address is its 4 or 16 bytes, an integer its 8 bytes big-endian, as HAProxy's binary cast", () => {
    expect(keyOf('src')).toEqual(addressBytes('192.168.1.10'))
    expect(keyOf('req.hdr_ip(x-forwarded-for)')).toEqual(new Uint8Array([10, 1, 2, 3]))
    expect(keyOf('src', stream({ sess: session({ cliAddr: '2001:db8::1' }) }))).toEqual(addressBytes('2001:db8::1'))
    expect(keyOf('url_param(id),mul(256)')).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 7, 0]))
    expect(keyOf('int(-1)')).toEqual(new Uint8Array(8).fill(255))
  })

  test('no sample: no key', () => {
    expect(keyOf('req.cook(nope)')).toBeUndefined()
  })

  test('hash src places clients as balance source does', () => {
    const servers = makeServers(Array.from({ length: 5 }, (_, i) => ({ name: `s${i}` })))
    const bySource = source.create(servers, { allBackups: false })
    const byHash = hash.create(servers, { allBackups: false })
    const k = hash.key!(parseArgs(hash, 'src').args, testCtx())
    for (let i = 0; i < 50; i++) {
      const addr = `10.0.${i}.${(i * 37) % 256}`
      const key = k.from === 'request' ? k.get(stream({ sess: session({ cliAddr: addr }) })) : undefined
      expect(byHash.pick({ hashKey: key })).toBe(bySource.pick({ hashKey: addressBytes(addr) })!)
    }
  })

  test('arguments: the expression, as written; a bad one fails when compiled', () => {
    expect(parseArgs(hash, 'req.cook(id),lower').args).toEqual({ param: 'req.cook(id),lower' })
    expect(configErrorOf(() => parseArgs(hash, '')).message).toBe("'balance hash' expects a sample expression: balance hash req.cookie(id)")
    expect(configErrorOf(() => hash.key!({ param: 'req.cookie(id)' }, testCtx())).message).toBe("unknown sample fetch 'req.cookie'; did you mean 'req.cook'?")
  })
})
