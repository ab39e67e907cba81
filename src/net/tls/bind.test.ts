import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testPki } from '../../../test/support/tls.ts'
import type { BindConfig, GlobalConfig } from '../../model/types.ts'
import { buildListenTls, EAGER_CONTEXTS } from './bind.ts'

const dir = mkdtempSync(join(tmpdir(), 'edgelb-bind-tls-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A bind whose crt-list has a.pem (the default), then `count` lines of b.pem for host<i>.test,
 *  then c.pem for *.wild.test. */
function bindWith(count: number, strictSni: boolean): BindConfig {
  const pki = testPki()
  const lines = [pki.file('a.pem'), ...Array.from({ length: count }, (_, i) => `${pki.file('b.pem')} host${i}.test`), `${pki.file('c.pem')} *.wild.test`]
  const list = join(dir, `${count}-${strictSni}.crtlist`)
  writeFileSync(list, lines.join('\n') + '\n')
  const pos = { file: join(dir, 'edgelb.cfg'), line: 1 }
  return { spec: ':443', addrs: [], pos, ssl: true, tls: { crts: [], crtLists: [{ path: list, at: pos }], strictSni }, options: {} }
}

const global = { daemon: false, quiet: false, logs: [] } as unknown as GlobalConfig
const build = (b: BindConfig) => buildListenTls(b, global, { mode: 'tcp', handshakeTimeout: 5000 }, { warn() {} })

describe('buildListenTls with more certificates than are made at load', () => {
  const count = EAGER_CONTEXTS + 50

  test('a name anywhere in the list gets its certificate, made on first use and kept', () => {
    const l = build(bindWith(count, false))
    const last = l.select!(`host${count - 1}.test`)
    expect(last).toBeDefined()
    expect(last).not.toBeNull()
    expect(l.select!(`HOST${count - 1}.test`)).toBe(last!)
    const firstB = l.select!('host0.test')
    expect(firstB).toBeDefined()
    expect(firstB).not.toBeNull()
    expect(firstB).not.toBe(last!)
    const wild = l.select!('www.wild.test')
    expect(wild).toBeDefined()
    expect(wild).not.toBeNull()
    expect(l.select!('api.wild.test')).toBe(wild!)
  })

  test('the default certificate and unknown names: the default context, or a refusal under strict-sni', () => {
    const l = build(bindWith(count, false))
    expect([l.select!('a.test'), l.select!('nobody.test')]).toEqual([undefined, undefined])
    const strict = build(bindWith(count, true))
    expect(strict.requireSni).toBe(true)
    expect(strict.select!('nobody.test')).toBeNull()
    expect(strict.select!('host7.test')).toBeDefined()
  })
})
