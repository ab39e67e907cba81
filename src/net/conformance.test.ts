// The Sock contract, under the runtime running the tests (Bun). Under Deno the same cases run
// from src/net/conformance-run.ts (test/deno-smoke.sh, in CI).
import { test } from 'bun:test'
import { sockCases } from './conformance.ts'
import { runtimeName } from './runtime.ts'

test('bun test runs on the Bun runtime adapter', () => {
  if (runtimeName !== 'bun') throw new Error(`runtime is ${runtimeName}`)
})

for (const c of sockCases) test(c.name, c.run)
