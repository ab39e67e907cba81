// Map lookups per second at 100,000 entries, for each index kind (and the list kinds, which scan,
// at 1,000 entries for scale), hits and misses mixed half and half.
//   ./node_modules/.bin/bun bench/maps.ts [entries]
import { now } from '../src/core/clock.ts'
import { createIndex, type MatchKind } from '../src/rules/pattern.ts'

const N = Number(process.argv[2] ?? 100_000)

interface Case {
  kind: MatchKind
  entries: number
  key(i: number): string
  hit(i: number): string
  miss(i: number): string
}

const ip4 = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

const cases: Case[] = [
  { kind: 'str', entries: N, key: (i) => `host${i}.example.com`, hit: (i) => `host${i}.example.com`, miss: (i) => `nohost${i}.example.org` },
  { kind: 'beg', entries: N, key: (i) => `/app${i}/`, hit: (i) => `/app${i}/static/main.css`, miss: (i) => `/other${i}/x` },
  { kind: 'end', entries: N, key: (i) => `.tenant${i}.example.com`, hit: (i) => `www.tenant${i}.example.com`, miss: (i) => `www.tenant${i}.example.net` },
  // A /24 per entry plus 1,000 /16s: two prefix lengths to probe, as a geolocation map has a few.
  { kind: 'ip', entries: N, key: (i) => (i < 1000 ? `172.${16 + (i >> 8)}.${i & 255}.0/24` : `${ip4(i * 256).replace(/\.\d+$/, '.0')}/24`), hit: (i) => ip4(((i % (N - 1000)) + 1000) * 256 + 7), miss: (i) => `192.0.${(i >> 8) & 255}.${i & 255}` },
  { kind: 'int', entries: N, key: (i) => String(i * 3), hit: (i) => String((i % N) * 3), miss: (i) => String(-1 - i) },
  { kind: 'sub', entries: 1000, key: (i) => `bot${i}`, hit: (i) => `Mozilla/5.0 (compatible; bot${i % 1000}/2.1)`, miss: (i) => `Mozilla/5.0 (X11; Linux ${i})` },
  { kind: 'reg', entries: 1000, key: (i) => `^/r${i}/[0-9]+$`, hit: (i) => `/r${i % 1000}/42`, miss: (i) => `/x${i}/42` },
]

const SAMPLES = 4096
console.log(`map lookups per second (hits and misses alternate), ${N.toLocaleString('en')} entries unless noted`)
console.log('kind  entries     build ms   lookups/s     ns/lookup')
for (const c of cases) {
  const entries = Math.min(c.entries, N)
  const idx = createIndex<string>(c.kind)
  const t0 = now()
  for (let i = 0; i < entries; i++) idx.add(c.key(i), `v${i}`)
  const buildMs = now() - t0
  const samples = Array.from({ length: SAMPLES }, (_, k) => {
    const i = Math.floor(Math.random() * entries)
    return k % 2 === 0 ? c.hit(i) : c.miss(i)
  })
  let hits = 0
  for (let i = 0; i < 20_000; i++) if (idx.lookup(samples[i & (SAMPLES - 1)]!) !== undefined) hits++ // warm-up
  const ops = c.entries >= 100_000 || c.kind === 'int' || c.kind === 'str' || c.kind === 'beg' || c.kind === 'end' || c.kind === 'ip' ? 2_000_000 : 200_000
  hits = 0
  const t1 = now()
  for (let i = 0; i < ops; i++) if (idx.lookup(samples[i & (SAMPLES - 1)]!) !== undefined) hits++
  const ms = now() - t1
  if (Math.abs(hits / ops - 0.5) > 0.01) throw new Error(`${c.kind}: expected half hits, got ${hits}/${ops}`)
  const perSec = ops / (ms / 1000)
  console.log(`${c.kind.padEnd(5)} ${String(entries).padStart(7)}  ${buildMs.toFixed(0).padStart(9)}  ${Math.round(perSec).toLocaleString('en').padStart(12)}  ${((ms * 1e6) / ops).toFixed(0).padStart(10)}`)
}
