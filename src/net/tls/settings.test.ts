import { describe, expect, test } from 'bun:test'
import type { SourcePos } from '../../model/source.ts'
import { checkCiphersuites, contextSettings, versionRange } from './settings.ts'

const at: SourcePos = { file: 'f', line: 1 }

describe('versionRange', () => {
  const warnings: string[] = []
  const warn = (m: string): void => { warnings.push(m) }

  test("HAProxy 2.6's default is TLS 1.2 to 1.3; the bind's words win over the global defaults", () => {
    expect(versionRange({}, {}, at, warn)).toEqual({ min: 'TLSv1.2', max: 'TLSv1.3' })
    expect(versionRange({}, { minVer: 'TLSv1.0' }, at, warn)).toEqual({ min: 'TLSv1.0', max: 'TLSv1.3' })
    expect(versionRange({ minVer: 'TLSv1.3' }, { minVer: 'TLSv1.0' }, at, warn)).toEqual({ min: 'TLSv1.3', max: 'TLSv1.3' })
    expect(versionRange({ forceVer: 'TLSv1.2' }, {}, at, warn)).toEqual({ min: 'TLSv1.2', max: 'TLSv1.2' })
    expect(versionRange({ noVers: ['TLSv1.3'] }, {}, at, warn)).toEqual({ min: 'TLSv1.2', max: 'TLSv1.2' })
    expect(versionRange({ noVers: ['SSLv3'] }, {}, at, warn)).toEqual({ min: 'TLSv1.2', max: 'TLSv1.3' })
  })

  test('a hole keeps the lowest contiguous range, with a warning; nothing left, or SSLv3, is an error', () => {
    expect(versionRange({ minVer: 'TLSv1.0', noVers: ['TLSv1.1'] }, {}, at, warn)).toEqual({ min: 'TLSv1.0', max: 'TLSv1.0' })
    expect(warnings.at(-1)).toBe('the enabled TLS versions TLSv1.0, TLSv1.2, TLSv1.3 have a hole; only TLSv1.0 to TLSv1.0 are used')
    expect(() => versionRange({ noVers: ['TLSv1.2', 'TLSv1.3'] }, {}, at, warn)).toThrow(/nothing is left/)
    expect(() => versionRange({ forceVer: 'SSLv3' }, {}, at, warn)).toThrow(/SSLv3 is not available/)
  })
})

describe('ciphersuites and the rest of a context', () => {
  test('TLS 1.3 suites must name the three the library offers (any order), unless TLS 1.3 is off', () => {
    expect(() => checkCiphersuites('TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384', { max: 'TLSv1.3' }, at)).toThrow(/leaves out TLS_CHACHA20_POLY1305_SHA256/)
    expect(() => checkCiphersuites('TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256', { max: 'TLSv1.3' }, at)).not.toThrow()
    expect(() => checkCiphersuites('TLS_AES_256_GCM_SHA384', { max: 'TLSv1.2' }, at)).not.toThrow()
  })

  test('own settings over the defaults; a trailing ; of a cipher list is dropped', () => {
    expect(contextSettings({ ciphers: 'A:B;', noTickets: true }, { curves: 'X25519', ciphers: 'C', preferClientCiphers: true }, at, () => {})).toEqual({
      minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', tickets: false, ciphers: 'A:B', curves: 'X25519', preferClientCiphers: true,
    })
  })
})
