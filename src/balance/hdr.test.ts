import { describe, expect, test } from 'bun:test'
import { parseArgs, runLbConformance } from '../../test/conformance/lb.ts'
import { configErrorOf } from '../../test/support/config.ts'
import { request, stream } from '../../test/support/rules.ts'
import { testCtx } from '../../test/support/rules-ctx.ts'
import { domainOnly, hdr } from './hdr.ts'

runLbConformance(hdr, { skipsFull: false })

describe('balance hdr', () => {
  const keyOf = (line: string, headers: [string, string][]) => {
    const k = hdr.key!(parseArgs(hdr, line).args, testCtx())
    return k.from === 'request' ? k.get(stream({ req: request('GET', '/', headers) })) : 'not a request key'
  }

  test("the value of the header's last occurrence, its name without case", () => {
    expect(keyOf('(X-Tenant)', [['x-tenant', 'a'], ['X-TENANT', 'b']])).toBe('b')
  })

  test('without the header, or with an empty value: no key', () => {
    expect(keyOf('(X-Tenant)', [])).toBeUndefined()
    expect(keyOf('(X-Tenant)', [['X-Tenant', '']])).toBeUndefined()
  })

  test("use_domain_only: the domain's main label", () => {
    expect(keyOf('(Host) use_domain_only', [['Host', 'haproxy.1wt.eu']])).toBe('1wt')
    expect(['www.example.com:8080', 'example.com', 'localhost', '.com', 'a.b.c.d'].map(domainOnly)).toEqual(['example', 'example', 'localhost', '', 'c'])
  })

  test('arguments', () => {
    expect(parseArgs(hdr, '(Host) use_domain_only').args).toEqual({ param: 'Host', whole: false })
    expect(configErrorOf(() => parseArgs(hdr, '')).message).toBe("'balance hdr' expects a header name: balance hdr(Host)")
    expect(configErrorOf(() => parseArgs(hdr, '(Host) www')).message).toBe("unexpected 'www' after 'balance hdr(Host)'; only 'use_domain_only' may follow")
  })
})
