/**
 * Fuzzes edgelb's HTTP/1 framing: the head parser and the chunked scanner (src/http/), in process,
 * and, on request, a sample of whole requests through a running edgelb on real sockets.
 *
 *   ./node_modules/.bin/bun bench/http-fuzz.ts [--iterations N] [--seed S] [--save-limit K] [--sockets M]
 *
 * The cases and the checks are test/support/http-fuzz.ts (test/http-fuzz.test.ts runs the same
 * core for 10^5 cases in CI; this runs 10^6 by default, 10^7 with --iterations 10000000):
 *   - a head or a chunked body alone: the parser never throws, any slicing gives the same result,
 *     the result equals the reference's, an accepted request is unambiguous when forwarded;
 *   - a whole message (30% of the cases): what edgelb forwards of it (head as encoded, body as
 *     received or re-encoded, cut into random pieces) is byte for byte what the strict reference
 *     forwards, and nothing past a fault;
 *   - --sockets M: M mutated chunked uploads through edgelb to a raw server, whose received bytes
 *     must be the reference's (test/support/http-fuzz-sockets.ts).
 * A head or chunked case that fails is saved under test/fixtures/http-fuzz/ and replayed by
 * test/http-fuzz-regressions.test.ts.
 */
import { checkCase, checkMessage, checkVectors, CHUNKED_VECTORS, makeCase, makeMessage, ours, randomCuts, rng, save, SMUGGLING } from '../test/support/http-fuzz.ts'
import { fuzzThroughEdgelb } from '../test/support/http-fuzz-sockets.ts'

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const opt = (name: string, def: number): number => {
    const i = args.indexOf(name)
    return i >= 0 ? Number(args[i + 1]) : def
  }
  const iterations = opt('--iterations', 1_000_000)
  const seed = opt('--seed', Date.now() % 1_000_000)
  const saveLimit = opt('--save-limit', 20)
  const sockets = opt('--sockets', 0)
  const r = rng(seed)
  const counts = { request: 0, response: 0, chunked: 0, messages: 0, bytewise: 0, accepted: 0, refused: 0, needMore: 0, failures: 0 }
  const saved: string[] = []

  for (const p of checkVectors()) {
    counts.failures++
    console.log(`VECTOR: ${p}`)
  }
  const t0 = performance.now()
  let bytes = 0
  for (let i = 0; i < iterations; i++) {
    if (r() < 0.3) {
      const m = makeMessage(r)
      counts.messages++
      bytes += m.input.length
      const problem = checkMessage(m, randomCuts(r, m.input.length))
      if (problem !== undefined) {
        counts.failures++
        if (counts.failures <= 20) console.log(`FAIL message ${m.target}/${m.output} ${JSON.stringify(m.input)}: ${problem.slice(0, 300)}`)
      }
      continue
    }
    const { c, bytewise } = makeCase(r)
    counts[c.target]++
    if (bytewise) counts.bytewise++
    bytes += c.input.length
    const problem = checkCase(c, { cutSets: [randomCuts(r, c.input.length)], bytewise })
    if (problem !== undefined) {
      counts.failures++
      if (saved.length < saveLimit) {
        const name = await save(c, problem, `seed ${seed} iteration ${i}`)
        saved.push(name)
        console.log(`FAIL ${name}: ${problem.split('\n')[0]!.slice(0, 300)}`)
      } else if (counts.failures <= 20) {
        console.log(`FAIL ${c.target} ${JSON.stringify(c.input)} ${JSON.stringify(c.limits)}: ${problem.split('\n')[0]!.slice(0, 300)}`)
      }
      continue
    }
    const o = ours(c)
    if (o.kind === 'done') counts.accepted++
    else if (o.kind === 'error') counts.refused++
    else counts.needMore++
    if ((i + 1) % 500_000 === 0) console.log(`  ${i + 1} cases, ${((i + 1) / ((performance.now() - t0) / 1000)).toFixed(0)}/s`)
  }
  const secs = (performance.now() - t0) / 1000
  console.log(`seed ${seed}: ${iterations} cases in ${secs.toFixed(1)} s = ${(iterations / secs).toFixed(0)} cases/s (${(bytes / secs / 1e6).toFixed(1)} MB/s of input)`)
  console.log(`  requests ${counts.request}, responses ${counts.response}, chunked bodies ${counts.chunked}, whole messages ${counts.messages}; sliced at every byte: ${counts.bytewise}`)
  console.log(`  heads and bodies: accepted ${counts.accepted}, refused ${counts.refused}, incomplete ${counts.needMore}`)
  console.log(`  smuggling vectors: ${SMUGGLING.length} head + ${CHUNKED_VECTORS.length} chunked, all checked`)
  if (sockets > 0) {
    const s = await fuzzThroughEdgelb({ cases: sockets, seed })
    console.log(`  through edgelb on sockets: ${s.cases} uploads in ${(s.ms / 1000).toFixed(1)} s (accepted ${s.accepted}, refused ${s.refused}, incomplete ${s.incomplete}); byte differences at the server: ${s.problems.length}`)
    for (const p of s.problems.slice(0, 10)) console.log(`FAIL socket ${p}`)
    counts.failures += s.problems.length
  }
  console.log(`  failures: ${counts.failures}${saved.length > 0 ? ` (saved ${saved.length} under test/fixtures/http-fuzz/)` : ''}`)
  if (counts.failures > 0) process.exitCode = 1
}

if (import.meta.main) await main()
