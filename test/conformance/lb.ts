// The cases every `balance` algorithm must pass. Each algorithm's test file runs them:
//   runLbConformance(leastconn, { skipsFull: true })
import { describe, expect, test } from 'bun:test'
import type { BalanceArgs, LbAlgorithm, LbOptions, LbServer, LbState } from '../../src/balance/types.ts'

export interface ServerSpec {
  name: string
  weight?: number
  backup?: boolean
  usable?: boolean
  cur?: number
  maxconn?: number
}

/** Servers as a backend would hold them, in declaration order (default: weight 1, usable). */
export function makeServers(specs: readonly ServerSpec[]): LbServer[] {
  return specs.map((s, index) => ({
    name: s.name,
    index,
    puid: index + 1,
    weight: s.weight ?? 1,
    backup: s.backup ?? false,
    usable: s.usable ?? true,
    cur: s.cur ?? 0,
    maxconn: s.maxconn ?? 0,
  }))
}

/** The names of `n` picks ('-' for undefined), each with a different hash key so hashing
 *  algorithms spread them as they would spread clients. */
export function pickNames(state: LbState, n: number, keyPrefix = 'client-'): string[] {
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(state.pick({ hashKey: `${keyPrefix}${i}` })?.name ?? '-')
  return out
}

/** How many times each name occurs. */
export function countNames(names: readonly string[]): Record<string, number> {
  const c: Record<string, number> = {}
  for (const n of names) c[n] = (c[n] ?? 0) + 1
  return c
}

function distinct(names: readonly string[]): string[] {
  return [...new Set(names)].sort()
}

export interface ConformanceOptions {
  /** The algorithm skips full servers (returning undefined when all are), rather than returning
   *  the chosen server for the caller to queue on. */
  skipsFull: boolean
  /** Extra options (hashType, draws) to run the suite with. */
  options?: Partial<LbOptions>
  /** Suffix for the describe() title, when a file runs the suite more than once. */
  label?: string
}

export function runLbConformance(algo: LbAlgorithm, suite: ConformanceOptions): void {
  const opts = (allBackups = false): LbOptions => ({ allBackups, ...suite.options })
  const N = 600

  describe(`${algo.name} conformance${suite.label ? ` (${suite.label})` : ''}`, () => {
    test('never picks a server that is not usable', () => {
      const servers = makeServers([{ name: 'a' }, { name: 'b', usable: false }, { name: 'c' }, { name: 'd', usable: false }])
      const names = pickNames(algo.create(servers, opts()), N)
      expect(names).not.toContain('-')
      expect(distinct(names).every((n) => n === 'a' || n === 'c')).toBe(true)
    })

    test('never picks a server of weight 0 while another works', () => {
      const servers = makeServers([{ name: 'a', weight: 0 }, { name: 'b' }, { name: 'c', weight: 3 }])
      const names = pickNames(algo.create(servers, opts()), N)
      expect(names).not.toContain('-')
      expect(names).not.toContain('a')
    })

    test('returns undefined when no server is usable', () => {
      expect(algo.create([], opts()).pick({ hashKey: 'x' })).toBeUndefined()
      const down = makeServers([{ name: 'a', usable: false }, { name: 'b', usable: false }, { name: 'bk', backup: true, usable: false }])
      expect(pickNames(algo.create(down, opts(true)), 20)).toEqual(Array(20).fill('-'))
      const weightless = makeServers([{ name: 'a', weight: 0 }, { name: 'b', weight: 0 }])
      expect(pickNames(algo.create(weightless, opts()), 20)).toEqual(Array(20).fill('-'))
      expect(algo.create(weightless, opts()).pick()).toBeUndefined()
    })

    test('picks without a request (no hash key) still return a usable server', () => {
      const servers = makeServers([{ name: 'a' }, { name: 'b', usable: false }, { name: 'c' }])
      const state = algo.create(servers, opts())
      for (let i = 0; i < 50; i++) expect(['a', 'c']).toContain(state.pick()?.name ?? '-')
    })

    test('backups take traffic only when no active server is usable', () => {
      const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'bk1', backup: true }, { name: 'bk2', backup: true }])
      const [a, b] = servers
      const state = algo.create(servers, opts(true))
      expect(distinct(pickNames(state, N)).every((n) => n === 'a' || n === 'b')).toBe(true)
      a.usable = false
      state.update()
      expect(distinct(pickNames(state, N))).toEqual(['b'])
      b.weight = 0 // weight 0 counts as not usable for this rule too
      state.update()
      const names = pickNames(state, N)
      expect(names).not.toContain('-')
      expect(distinct(names).every((n) => n === 'bk1' || n === 'bk2')).toBe(true)
      a.usable = true
      state.update()
      expect(distinct(pickNames(state, N))).toEqual(['a'])
    })

    test('without allBackups, only the first usable backup in declaration order', () => {
      const servers = makeServers([
        { name: 'a', usable: false },
        { name: 'bk1', backup: true, usable: false },
        { name: 'bk2', backup: true },
        { name: 'bk3', backup: true },
      ])
      const state = algo.create(servers, opts(false))
      expect(distinct(pickNames(state, N))).toEqual(['bk2'])
      servers[1].usable = true
      state.update()
      expect(distinct(pickNames(state, N))).toEqual(['bk1'])
    })

    test('with allBackups, the usable backups are balanced as active servers would be', () => {
      const specs: ServerSpec[] = [
        { name: 'bk1', weight: 2 },
        { name: 'bk2', usable: false },
        { name: 'bk3' },
        { name: 'bk4', weight: 3 },
      ]
      const asActive = distinct(pickNames(algo.create(makeServers(specs), opts()), N))
      const servers = makeServers([{ name: 'a', usable: false }, ...specs.map((s) => ({ ...s, backup: true }))])
      const asBackup = distinct(pickNames(algo.create(servers, opts(true)), N))
      expect(asBackup).toEqual(asActive)
      expect(asBackup).not.toContain('bk2')
    })

    test('update() after a state change is honoured', () => {
      const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }])
      const [a] = servers
      const state = algo.create(servers, opts())
      expect(pickNames(state, N)).toContain('a')
      a.usable = false
      state.update()
      expect(pickNames(state, N)).not.toContain('a')
      a.usable = true
      state.update()
      expect(pickNames(state, N)).toContain('a')
      a.weight = 0
      state.update()
      expect(pickNames(state, N)).not.toContain('a')
      a.weight = 2
      state.update()
      expect(pickNames(state, N)).toContain('a')
    })

    if (suite.skipsFull) {
      test('skips full servers, and returns undefined when every server is full', () => {
        const servers = makeServers([{ name: 'a', maxconn: 1, cur: 1 }, { name: 'b', maxconn: 2 }, { name: 'c' }])
        const [a, b, c] = servers
        const state = algo.create(servers, opts())
        const names = pickNames(state, N)
        expect(names).not.toContain('a')
        expect(names).not.toContain('-')
        b.cur = 2
        state.taken?.(b)
        c.maxconn = 5
        c.cur = 5
        state.update() // maxconn changed
        expect(pickNames(state, 20)).toEqual(Array(20).fill('-'))
        a.cur = 0
        state.released?.(a)
        expect(distinct(pickNames(state, 20))).toEqual(['a'])
      })
    } else {
      test('returns a server even when every server is full (the caller queues on it)', () => {
        const servers = makeServers([{ name: 'a', maxconn: 1, cur: 1 }, { name: 'b', maxconn: 1, cur: 1 }])
        const state = algo.create(servers, opts())
        const names = pickNames(state, N)
        expect(names).not.toContain('-')
        expect(distinct(names).every((n) => n === 'a' || n === 'b')).toBe(true)
      })
    }
  })
}

/** What an algorithm's parse() makes of `balance NAME[(PARAM)] WORDS…` (`line` without NAME: `(3)`,
 *  `whole len 10`), with the notices it gave. */
export function parseArgs<A extends BalanceArgs>(algo: LbAlgorithm<A>, line = ''): { args: A; notBuilt: string[] } {
  const m = /^(?:\((.*?)\))?\s*(.*)$/.exec(line)!
  const notBuilt: string[] = []
  const args = algo.parse({ param: m[1], words: m[2] === '' ? [] : m[2]!.split(/\s+/), at: { file: 'test.cfg', line: 1 }, notBuilt: (what) => notBuilt.push(what) })
  return { args, notBuilt }
}
