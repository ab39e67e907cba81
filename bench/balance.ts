// Picks per second for each `balance` algorithm, with 2, 10 and 100 servers of mixed weights.
//   ./node_modules/.bin/bun bench/balance.ts
import { now } from '../src/core/clock.ts'
import { algorithms } from '../src/balance/registry.ts'
import { source } from '../src/balance/source.ts'
import type { LbAlgorithm, LbOptions, LbRequest, LbServer } from '../src/balance/types.ts'

function servers(n: number): LbServer[] {
  return Array.from({ length: n }, (_, index) => ({
    name: `s${index}`,
    index,
    puid: index + 1,
    weight: 1 + (index % 4) * 10, // 1, 11, 21, 31, …
    backup: false,
    usable: true,
    cur: index % 7,
    maxconn: 0,
  }))
}

// Client addresses as raw IPv4 bytes, as `balance source` receives them.
const requests: LbRequest[] = Array.from({ length: 4096 }, (_, i) => ({
  hashKey: new Uint8Array([10, (i >> 8) & 255, i & 255, (i * 7) & 255]),
}))

function picksPerSec(algo: LbAlgorithm, n: number, options: LbOptions, picks: number): number {
  const state = algo.create(servers(n), options)
  let sink = 0
  const t0 = now()
  for (let i = 0; i < picks; i++) sink += state.pick(requests[i & 4095])?.index ?? 0
  const ms = now() - t0
  if (sink < 0) console.log(sink)
  return picks / (ms / 1000)
}

const cases: { label: string; algo: LbAlgorithm; options: LbOptions }[] = [
  ...algorithms.map((algo) => ({ label: algo.name, algo, options: { allBackups: false } })),
  { label: 'source consistent', algo: source, options: { allBackups: false, hashType: { method: 'consistent', fn: 'sdbm', avalanche: false } } },
  { label: 'source wt6 avalanche', algo: source, options: { allBackups: false, hashType: { method: 'map-based', fn: 'wt6', avalanche: true } } },
]
const sizes = [2, 10, 100]
const fmt = (v: number): string => `${(v / 1e6).toFixed(1)} M/s`.padStart(13)

console.log(`${'picks/s'.padEnd(22)}${sizes.map((n) => `${n} servers`.padStart(13)).join('')}`)
for (const c of cases) {
  for (const n of sizes) picksPerSec(c.algo, n, c.options, 200_000) // warm-up
  const row = sizes.map((n) => fmt(picksPerSec(c.algo, n, c.options, 2_000_000)))
  console.log(`${c.label.padEnd(22)}${row.join('')}`)
}
