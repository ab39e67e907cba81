import { describe, expect, test } from 'bun:test'
import { ConfigError } from '../model/source.ts'
import { MapStore, parseRefText } from './maps.ts'
import { AT, FIXTURES } from '../../test/support/rules-ctx.ts'

describe('map and ACL files', () => {
  test('a map line is a key and the rest of the line; comments and blanks are skipped', () => {
    expect(parseRefText('# c\n\n a  b c \nk\n')).toEqual([
      { key: 'a', value: 'b c', line: 'a  b c' },
      { key: 'k', value: '', line: 'k' },
    ])
  })
  test('files are read relative to the configuration directory, once', () => {
    let reads = 0
    const store = new MapStore({ read: (p) => { reads++; return require('node:fs').readFileSync(p, 'utf8') } })
    const str = store.index('hosts.map', FIXTURES, 'str', { at: AT })
    const beg = store.index('hosts.map', FIXTURES, 'beg', { at: AT })
    expect(str.lookup('api.example.com')).toBe('api')
    expect(beg.lookup('static.example.com.evil')).toBe('static')
    expect(store.index('hosts.map', FIXTURES, 'str', { at: AT })).toBe(str)
    expect(reads).toBe(1)
  })
  test('ACL files index whole lines', () => {
    const store = new MapStore()
    const sub = store.index('agents.acl', FIXTURES, 'sub', { whole: true, at: AT })
    expect(sub.lookup('a bad bot/1.0')).toBe('')
    expect(sub.lookup('curl/8')).toBe('')
    expect(sub.lookup('Mozilla')).toBeUndefined()
  })
  test('an unreadable file or a bad entry is a ConfigError at the rule', () => {
    const store = new MapStore()
    expect(() => store.ref('missing.map', FIXTURES, AT)).toThrow(ConfigError)
    expect(() => store.ref('missing.map', FIXTURES, AT)).toThrow(/cannot read 'missing.map'.*ENOENT/)
    expect(() => store.index('hosts.map', FIXTURES, 'ip', { at: AT })).toThrow(/entry 1 \('example.com   app'\): invalid IP/)
  })
  test('run-time edits reach every index of the file', () => {
    const store = new MapStore({ read: () => 'a 1\nb 2\n' })
    const str = store.index('m', '/', 'str', { at: AT })
    const beg = store.index('m', '/', 'beg', { at: AT })
    const ref = store.get('/m')!
    ref.add('c', '3')
    expect(str.lookup('c')).toBe('3')
    expect(beg.lookup('cx')).toBe('3')
    ref.set('a', '10')
    expect(str.lookup('a')).toBe('10')
    expect(beg.lookup('a!')).toBe('10')
    expect(ref.delete('b')).toBe(true)
    expect(str.lookup('b')).toBeUndefined()
    ref.clear()
    expect(str.lookup('a')).toBeUndefined()
    expect(ref.size).toBe(0)
  })
  test('an entry invalid for one attached index is refused whole', () => {
    const store = new MapStore({ read: () => '10.0.0.0/8 x\n' })
    const ip = store.index('n', '/', 'ip', { at: AT })
    store.index('n', '/', 'str', { at: AT })
    const ref = store.get('/n')!
    expect(() => ref.add('not-an-ip', 'y')).toThrow(/invalid IP/)
    expect(ref.size).toBe(1)
    expect(ip.lookup('10.1.1.1')).toBe('x')
  })
})
