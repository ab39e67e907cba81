/**
 * Runs the Sock conformance cases (net/conformance.ts) on the running runtime, one after the
 * other, each bounded in time: `deno run -A src/net/conformance-run.ts` (or `bun …`). Prints one
 * line per case and a count; exits 1 if any failed.
 */
import { sockCases } from './conformance.ts'
import { runtimeName } from './runtime.ts'

const LIMIT_MS = 20_000
let passed = 0
let failed = 0
for (const c of sockCases) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no outcome within ${LIMIT_MS} ms`)), LIMIT_MS) })
  try {
    await Promise.race([c.run(), limit])
    passed++
    process.stdout.write(`ok   ${runtimeName}: ${c.name}\n`)
  } catch (e) {
    failed++
    process.stdout.write(`FAIL ${runtimeName}: ${c.name}\n  ${(e as Error).stack ?? e}\n`)
  } finally {
    clearTimeout(timer)
  }
}
process.stdout.write(`Sock conformance on ${runtimeName}: ${passed} of ${passed + failed} cases passed\n`)
process.exit(failed > 0 ? 1 : 0)
