import { describe, expect, test } from 'bun:test'
import { ConfigError } from '../../model/source.ts'
import { parseCrtList } from './crt-list.ts'

describe('parseCrtList', () => {
  test('certificates with positive and negative SNI filters; comments and blank lines skipped', () => {
    const lines = parseCrtList('# certs\n\nsite.pem\nwild.pem [ocsp-update off] *.Example.com !secret.example.com\r\nother.pem b.test c.test\n', 'l.crtlist')
    expect(lines.map(({ crt, filters, excluded, at }) => [crt, filters, excluded, at.line])).toEqual([
      ['site.pem', [], [], 3],
      ['wild.pem', ['*.example.com'], ['secret.example.com'], 4],
      ['other.pem', ['b.test', 'c.test'], [], 5],
    ])
  })

  test('per-line options other than ocsp-update off are refused at their line', () => {
    expect(() => parseCrtList('a.pem\nb.pem [alpn h2 ciphers X] b.test\n', 'l')).toThrow(ConfigError)
    try { parseCrtList('a.pem\nb.pem [verify required]\n', 'l') } catch (e) { expect((e as ConfigError).pos).toEqual({ file: 'l', line: 2 }) }
    expect(() => parseCrtList('b.pem [alpn h2\n', 'l')).toThrow(/missing '\]'/)
  })
})
