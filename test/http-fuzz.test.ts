import { describe, expect, test } from 'bun:test'
import { checkCase, checkMessage, makeCase, makeMessage, randomCuts, rng } from './support/http-fuzz.ts'
import { fuzzThroughEdgelb } from './support/http-fuzz-sockets.ts'

// The fuzzer of bench/http-fuzz.ts (10^7 cases there, on request), in CI: 10^5 cases in process
// (heads, chunked bodies and whole messages, cut at random; what edgelb forwards of a message is
// byte for byte what the strict reference forwards), and a sample of uploads through a running
// edgelb on real sockets, judged on the bytes the server received. Fixed seeds: a failure
// names its case, and a run reproduces it.

describe('http fuzz', () => {
  test('10^5 cases in process: no difference with the reference, no byte forwarded that it would not', () => {
    const r = rng(22)
    const problems: string[] = []
    for (let i = 0; i < 100_000; i++) {
      if (r() < 0.3) {
        const m = makeMessage(r)
        const p = checkMessage(m, randomCuts(r, m.input.length))
        if (p !== undefined) problems.push(`message ${JSON.stringify(m)}: ${p}`)
      } else {
        const { c } = makeCase(r)
        const p = checkCase(c, { cutSets: [randomCuts(r, c.input.length)] })
        if (p !== undefined) problems.push(`${c.target} ${JSON.stringify(c.input)}: ${p}`)
      }
      if (problems.length >= 5) break
    }
    expect(problems).toEqual([])
  }, 60_000)

  test('mutated chunked uploads through edgelb: the server receives exactly what the reference forwards', async () => {
    const s = await fuzzThroughEdgelb({ cases: 1000, seed: 22 })
    expect(s.problems).toEqual([])
    expect(s.accepted).toBeGreaterThan(50)
    expect(s.refused).toBeGreaterThan(300)
  }, 60_000)
})
