/**
 * `log … sample RANGES:SIZE`: of every SIZE lines a `log` line would send, only those whose
 * position (1 to SIZE, counted per `log` line) is in RANGES go. `sample 1:2` sends every other
 * line; `sample 1-2,5:10` the 1st, 2nd and 5th of each ten. Lines its level filter refuses are
 * not counted (HAProxy's order).
 */
import { ConfigError, type SourcePos } from '../model/source.ts'

/** Which positions of a cycle are sent; position 1 is `take[0]`. */
export interface SampleSpec {
  take: Uint8Array
}

const MAX_SAMPLE_SIZE = 1 << 20

export function parseSample(text: string, at: SourcePos): SampleSpec {
  const colon = text.lastIndexOf(':')
  if (colon < 0) throw new ConfigError(`'log … sample' expects RANGES:SIZE, e.g. 'sample 1:2' (every other line) or 'sample 1-3,7:10'; missing ':SIZE' in '${text}'`, at)
  const sizeText = text.slice(colon + 1)
  if (!/^\d+$/.test(sizeText) || Number(sizeText) < 1 || Number(sizeText) > MAX_SAMPLE_SIZE) throw new ConfigError(`wrong sample size '${sizeText}' in 'sample ${text}'; write a number from 1 to ${MAX_SAMPLE_SIZE}`, at)
  const size = Number(sizeText)
  const take = new Uint8Array(size)
  const ranges = text.slice(0, colon)
  if (ranges === '') throw new ConfigError(`no sampling ranges in 'sample ${text}'`, at)
  for (const r of ranges.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(r)
    const low = m ? Number(m[1]) : 0
    const high = m?.[2] !== undefined ? Number(m[2]) : low
    if (!m || low < 1 || high < low || (m[2] !== undefined && high === low)) throw new ConfigError(`wrong sample range '${r}' in 'sample ${text}'; write N or LOW-HIGH with 1 <= LOW < HIGH`, at)
    if (high > size) throw new ConfigError(`sample size ${size} should be greater or equal to ${high}, the highest position of the ranges, in 'sample ${text}'`, at)
    for (let i = low; i <= high; i++) {
      if (take[i - 1]) throw new ConfigError(`sample ranges overlap in 'sample ${text}'`, at)
      take[i - 1] = 1
    }
  }
  return { take }
}
