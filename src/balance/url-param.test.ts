import { describe, expect, test } from 'bun:test'
import { parseArgs, runLbConformance } from '../../test/conformance/lb.ts'
import { configErrorOf } from '../../test/support/config.ts'
import { request, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { urlParam } from './url-param.ts'

runLbConformance(urlParam, { skipsFull: false })

describe('balance url_param', () => {
  const k = urlParam.key!(parseArgs(urlParam, 'user').args, testCtx())
  const keyOf = (target: string) => (k.from === 'request' ? k.get(stream({ req: request('GET', target) })) : 'not a request key')

  test('the value of the first NAME=VALUE of the query string', () => {
    expect(keyOf('/app?x=1&user=u42&user=u7')).toBe('u42')
    expect(keyOf('/app?username=a&user=b')).toBe('b')
  })

  test('no parameter, or no value: no key, the request is spread by weight (as HAProxy)', () => {
    expect([keyOf('/app'), keyOf('/app?x=1'), keyOf('/app?user='), keyOf('/app?user&x=1')]).toEqual([undefined, undefined, undefined, undefined])
  })

  test('arguments: check_post is accepted and said not to be acted on', () => {
    expect(parseArgs(urlParam, 'user')).toEqual({ args: { param: 'user' }, notBuilt: [] })
    expect(parseArgs(urlParam, 'user check_post 64')).toEqual({ args: { param: 'user' }, notBuilt: ["'balance url_param user check_post'"] })
    expect(configErrorOf(() => parseArgs(urlParam, 'user check_get')).message).toBe("unexpected 'check_get' after 'balance url_param user'; only 'check_post [MAX_WAIT]' may follow")
  })
})
