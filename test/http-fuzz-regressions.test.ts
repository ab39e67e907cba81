import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { checkCase, checkVectors, CHUNKED_VECTORS, FIXTURES, ours, SMUGGLING, type Fixture, type Outcome } from './support/http-fuzz.ts'

// Replays the inputs bench/http-fuzz.ts saved (and the edge cases added by hand) under
// test/fixtures/http-fuzz/: each must give its expected outcome, the same in every slicing,
// and agree with the reference.

function withoutDetail(o: Outcome): Outcome {
  return o.kind === 'error' ? { kind: 'error', status: o.status } : o
}

const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()

describe('http fuzz regressions', () => {
  test('the fixtures are there', () => {
    expect(files.length).toBeGreaterThan(0)
  })

  for (const file of files) {
    const f = JSON.parse(readFileSync(FIXTURES + file, 'utf8')) as Fixture
    test(`${file}: ${f.problem.split('\n')[0].slice(0, 100)}`, () => {
      expect(withoutDetail(ours(f))).toEqual(f.expect)
      expect(checkCase(f, { bytewise: true })).toBeUndefined()
    })
  }

  test('known smuggling vectors get their outcome, in one piece and byte by byte', () => {
    expect(checkVectors()).toEqual([])
    const limits = { maxHead: 8192, maxHeaders: 100 }
    for (const v of SMUGGLING) expect(checkCase({ target: 'request', input: v.input, limits }, { bytewise: true })).toBeUndefined()
    for (const v of CHUNKED_VECTORS) expect(checkCase({ target: 'chunked', input: v, limits }, { bytewise: true })).toBeUndefined()
  })
})
