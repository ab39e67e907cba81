/**
 * HAProxy's sliding-window averages (`qtime`, `ctime`, `rtime`, `ttime` in the stats): a sum
 * that stands for `n` times the average. Until the window is full the sum is a plain total, and
 * the average divides it by the number of samples; then each sample replaces one average's worth.
 */

/** The samples an average covers (HAProxy's TIME_STATS_SAMPLES). */
export const TIME_SAMPLES = 1024

/** The sum after adding `v`, `count` being the samples so far, this one included. */
export function swrateAdd(sum: number, count: number, v: number): number {
  if (count <= TIME_SAMPLES) return sum + v
  return sum - Math.floor((sum + TIME_SAMPLES - 1) / TIME_SAMPLES) + v
}

/** The average of a sum made of `count` samples (0 when there are none). */
export function swrateAvg(sum: number, count: number): number {
  const n = count < TIME_SAMPLES ? count : TIME_SAMPLES
  return n === 0 ? 0 : Math.floor((sum + n - 1) / n)
}
