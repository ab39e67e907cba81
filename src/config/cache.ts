/**
 * A `cache NAME` section, as HAProxy 2.6 reads it: `total-max-size MEGABYTES` (required, at most
 * 4095), `max-object-size BYTES` (at most half the total; default a 256th of it), `max-age
 * SECONDS` (default 60), `process-vary on|off` (default off), `max-secondary-entries N` (default 10).
 */
import { ConfigError, type SectionSource } from '../model/source.ts'
import type { CacheConfig } from '../model/types.ts'

function count(v: string | undefined, kw: string, pos: SectionSource['pos'], min = 0): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < min) throw new ConfigError(`'${kw}' expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got '${v ?? ''}'`, pos)
  return Number(v)
}

export function readCache(s: SectionSource, guard: (f: () => void) => void): CacheConfig {
  const out: CacheConfig = { name: s.name, pos: s.pos, totalMaxSize: 0, maxObjectSize: 0, maxAge: 60, processVary: false, maxSecondaryEntries: 10 }
  let objectSize: { v: number; pos: SectionSource['pos'] } | undefined
  for (const d of s.directives) {
    if (d.no === true || d.reset === true) continue // refused by the section's keyword check
    guard(() => {
      if (d.args.length !== 1) throw new ConfigError(`'${d.kw}' expects one value`, d.pos)
      const v = d.args[0]
      switch (d.kw) {
        case 'total-max-size': {
          const mb = count(v, d.kw, d.pos, 1)
          if (mb > 4095) throw new ConfigError(`'total-max-size' is in megabytes, at most 4095, got ${mb}`, d.pos)
          out.totalMaxSize = mb * 1024 * 1024
          break
        }
        case 'max-object-size': objectSize = { v: count(v, d.kw, d.pos, 1), pos: d.pos }; break
        case 'max-age': out.maxAge = count(v, d.kw, d.pos); break
        case 'max-secondary-entries': out.maxSecondaryEntries = count(v, d.kw, d.pos, 1); break
        case 'process-vary':
          if (v !== 'on' && v !== 'off') throw new ConfigError(`'process-vary' expects 'on' or 'off', got '${v}'`, d.pos)
          out.processVary = v === 'on'
          break
      }
    })
  }
  guard(() => {
    if (out.totalMaxSize === 0) throw new ConfigError(`cache '${s.name}' needs 'total-max-size MEGABYTES'`, s.pos)
  })
  out.maxObjectSize = Math.floor(out.totalMaxSize / 256)
  if (objectSize !== undefined) {
    const o = objectSize
    guard(() => {
      if (out.totalMaxSize > 0 && o.v > out.totalMaxSize / 2) throw new ConfigError(`'max-object-size' ${o.v} is more than half of 'total-max-size' (${out.totalMaxSize} bytes)`, o.pos)
      out.maxObjectSize = o.v
    })
  }
  return out
}
