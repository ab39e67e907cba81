/**
 * A latency histogram in the manner of HdrHistogram: values in microseconds, log-linear buckets
 * (each power of two split into 64 sub-buckets, so a percentile is off by at most 1/64 ≈ 1.6 %),
 * constant-time `record`, mergeable (worker processes send theirs to the parent as JSON).
 *
 *   bucket index = SUB * shift + (value >> shift) ; values below 128 µs are exact.
 */

const SUB_BITS = 7
const SUB = 1 << SUB_BITS // 128: a bucket spans at most 1/64 of its value
/** Shifts up to 29: values up to 2^36 µs (19 h); anything longer lands in the last bucket. */
const MAX_SHIFT = 29
const SIZE = (MAX_SHIFT + 1) * SUB

// A value v >= SUB with top bit k keeps its top SUB_BITS bits: shift s = k - SUB_BITS + 1, so
// v >> s is in [SUB/2, SUB), and the index is s * SUB + (v >> s). Values below SUB are exact.
function indexOf(us: number): number {
  const v = us < 0 ? 0 : Math.floor(us)
  if (v < SUB) return v
  if (v < 2 ** 31) {
    const s = 31 - Math.clz32(v) - SUB_BITS + 1
    return s * SUB + (v >>> s)
  }
  const s = Math.floor(Math.log2(v)) - SUB_BITS + 1
  if (s > MAX_SHIFT) return SIZE - 1
  return s * SUB + Math.floor(v / 2 ** s)
}

/** The lowest value of bucket `i` and its width. */
function bucketLow(i: number): number {
  const exp = Math.floor(i / SUB)
  const sub = i % SUB
  return exp === 0 ? sub : sub * 2 ** exp
}

function bucketWidth(i: number): number {
  const exp = Math.floor(i / SUB)
  return exp === 0 ? 1 : 2 ** exp
}

export interface HistogramJson {
  /** [bucket index, count] pairs for non-empty buckets. */
  buckets: [number, number][]
  min: number
  max: number
  sum: number
}

export class LatencyHistogram {
  readonly counts = new Float64Array(SIZE)
  count = 0
  min = Infinity
  max = 0
  sum = 0

  /** Records one value in microseconds. */
  record(us: number): void {
    this.counts[indexOf(us)]!++
    this.count++
    this.sum += us
    if (us < this.min) this.min = us
    if (us > this.max) this.max = us
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < SIZE; i++) this.counts[i]! += other.counts[i]!
    this.count += other.count
    this.sum += other.sum
    if (other.min < this.min) this.min = other.min
    if (other.max > this.max) this.max = other.max
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count
  }

  /** The value at percentile `p` (0-100), in µs: the middle of the bucket that holds it (the
   *  exact max for 100). NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return NaN
    if (p >= 100) return this.max
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!
      if (seen >= rank) {
        const mid = bucketLow(i) + (bucketWidth(i) - 1) / 2
        return Math.min(this.max, Math.max(this.min, mid))
      }
    }
    return this.max
  }

  /** Non-empty buckets as [low µs, high µs (exclusive), count], in order. */
  *bins(): Generator<[number, number, number]> {
    for (let i = 0; i < SIZE; i++) {
      const c = this.counts[i]!
      if (c > 0) yield [bucketLow(i), bucketLow(i) + bucketWidth(i), c]
    }
  }

  toJSON(): HistogramJson {
    const buckets: [number, number][] = []
    for (let i = 0; i < SIZE; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!])
    return { buckets, min: this.count === 0 ? 0 : this.min, max: this.max, sum: this.sum }
  }

  static fromJSON(j: HistogramJson): LatencyHistogram {
    const h = new LatencyHistogram()
    for (const [i, c] of j.buckets) {
      h.counts[i] = c
      h.count += c
    }
    if (h.count > 0) {
      h.min = j.min
      h.max = j.max
      h.sum = j.sum
    }
    return h
  }
}

/** For tests: the bucket a value falls in, as [low, high). */
export function bucketOf(us: number): [number, number] {
  const i = indexOf(us)
  return [bucketLow(i), bucketLow(i) + bucketWidth(i)]
}
