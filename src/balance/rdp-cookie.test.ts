import { describe, expect, test } from 'bun:test'
import { makeServers, parseArgs, runLbConformance } from '../../test/conformance/lb.ts'
import { configErrorOf } from '../../test/support/config.ts'
import { rdpRequest, request, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { rdpCookie } from './rdp-cookie.ts'

runLbConformance(rdpCookie, { skipsFull: false })

describe('balance rdp-cookie', () => {
  const keyOf = (line: string, payload: Uint8Array | null) => {
    const k = rdpCookie.key!(parseArgs(rdpCookie, line).args, testCtx())
    return k.from === 'request' ? k.get(stream({ payload })) : 'not a request key'
  }

  test('the mstshash cookie of the RDP connection request by default, or the one named', () => {
    expect(keyOf('', rdpRequest('Cookie: mstshash=alice\r\n'))).toBe('alice')
    expect(keyOf('(msts)', rdpRequest('Cookie: msts=3640205228.15629.0000\r\n'))).toBe('3640205228.15629.0000')
    expect(keyOf('(msts)', rdpRequest('Cookie: mstshash=alice\r\n'))).toBeUndefined()
  })

  test('no cookie, not all of it yet, or no payload (http mode): no key', () => {
    expect(keyOf('', rdpRequest(''))).toBeUndefined()
    expect(keyOf('', rdpRequest('Cookie: mstshash=alice\r\n').subarray(0, 20))).toBeUndefined()
    expect(keyOf('', null)).toBeUndefined()
    const k = rdpCookie.key!({}, testCtx())
    expect(k.from === 'request' && k.get(stream({ req: request('GET', '/', [['Cookie', 'mstshash=alice']]) }))).toBeUndefined()
  })

  test('the same user reaches the same server', () => {
    const state = rdpCookie.create(makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), { allBackups: false })
    const k = rdpCookie.key!({}, testCtx())
    const serverOf = (user: string) => state.pick({ hashKey: k.from === 'request' ? k.get(stream({ payload: rdpRequest(`Cookie: mstshash=${user}\r\n`) })) : undefined })?.name
    const users = Array.from({ length: 30 }, (_, i) => `user${i}`)
    const first = users.map(serverOf)
    expect(users.map(serverOf)).toEqual(first)
    expect(new Set(first).size).toBe(3)
  })

  test('arguments', () => {
    expect(parseArgs(rdpCookie, '').args).toEqual({})
    expect(parseArgs(rdpCookie, '(mstshash)').args).toEqual({ param: 'mstshash' })
    expect(configErrorOf(() => parseArgs(rdpCookie, 'msts')).message).toBe("'balance rdp-cookie' takes only a cookie name, in parentheses: balance rdp-cookie(mstshash)")
  })
})
