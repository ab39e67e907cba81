import { describe, expect, test } from 'bun:test'
import { parseConfig } from '../../../test/support/config.ts'

const servers = (lines: string) => parseConfig(`backend be\n${lines}`).proxies[0]!.servers.map((s) => [s.name, s.sendProxy, s.checkSendProxy])

describe('PROXY protocol options (HAProxy\'s pp_opts flags)', () => {
  test('each keyword sets its flags; no- forms clear them; default-server passes them on', () => {
    expect(servers(`  default-server send-proxy
  server a 10.0.0.1:80
  server b 10.0.0.2:80 no-send-proxy
  server c 10.0.0.3:80 send-proxy-v2
  server d 10.0.0.4:80 send-proxy-v2-ssl-cn
  server e 10.0.0.5:80 no-send-proxy send-proxy-v2-ssl no-send-proxy-v2-ssl
  server f 10.0.0.6:80 no-send-proxy proxy-v2-options crc32c,authority,unique-id,ssl-cipher check-send-proxy
  server g 10.0.0.7:80 no-send-proxy check-send-proxy no-check-send-proxy
`)).toEqual([
      ['a', ['v1'], undefined],
      ['b', undefined, undefined],
      ['c', ['v1', 'v2'], undefined],
      ['d', ['v1', 'v2', 'ssl', 'cert-cn'], undefined],
      ['e', undefined, undefined],
      ['f', ['crc32c', 'authority', 'unique-id', 'ssl', 'ssl-cipher'], true],
      ['g', undefined, false],
    ])
  })

  test('accept-proxy on a bind; the keywords no longer refuse the configuration', () => {
    const c = parseConfig('listen fe\n  bind :80 accept-proxy\n  bind :81\n  tcp-request connection expect-proxy layer4 if { src 10.0.0.0/8 }\n  server s 10.0.0.1:80 send-proxy-v2 check check-send-proxy\n')
    expect(c.proxies[0]!.binds.map((b) => b.acceptProxy)).toEqual([true, undefined])
  })

  test('an unknown proxy-v2-options word is an error naming the known ones', () => {
    expect(() => parseConfig('backend be\n  server s 10.0.0.1:80 send-proxy-v2 proxy-v2-options crc32c,netns\n')).toThrow("'netns': unknown proxy-v2-options option; known: ssl, cert-cn, ssl-cipher, cert-sig, cert-key, authority, crc32c, unique-id")
  })

  test('expect-proxy takes layer4 and nothing else', () => {
    expect(() => parseConfig('frontend fe\n  bind :80\n  tcp-request connection expect-proxy\n')).toThrow("'expect-proxy' expects 'layer4'")
    expect(() => parseConfig('frontend fe\n  bind :80\n  tcp-request session expect-proxy layer4\n')).toThrow()
  })
})
