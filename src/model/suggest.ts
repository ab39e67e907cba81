/**
 * "Did you mean …?" for configuration words: the closest known word by Damerau-Levenshtein
 * distance (the optimal-string-alignment variant: insertions, deletions, substitutions and
 * transpositions of two adjacent letters, each costing 1).
 *
 * A suggestion is only offered when it is close enough to be a plausible typo: at most 1 edit
 * for words of up to 4 characters, 2 up to 8 characters, 3 beyond. The comparison ignores
 * case; the candidate is returned as written. On a tie the first candidate wins, so callers
 * list the likelier words first.
 */

/** The largest distance still worth suggesting for a word of this length. */
function maxDistance(length: number): number {
  if (length <= 4) return 1
  if (length <= 8) return 2
  return 3
}

/**
 * The optimal-string-alignment distance between `a` and `b`, or `limit + 1` as soon as it is
 * certain to exceed `limit` (so that a long list of candidates costs little).
 */
function osaDistance(a: string, b: string, limit: number): number {
  const n = a.length
  const m = b.length
  if (Math.abs(n - m) > limit) return limit + 1
  if (n === 0) return m
  if (m === 0) return n
  // Three rolling rows: two back (for transpositions), previous, current.
  let prev2 = new Array<number>(m + 1).fill(0)
  let prev = new Array<number>(m + 1)
  let cur = new Array<number>(m + 1)
  for (let j = 0; j <= m; j++) prev[j] = j
  for (let i = 1; i <= n; i++) {
    cur[0] = i
    let rowMin = i
    const ai = a.charCodeAt(i - 1)
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1)
      const cost = ai === bj ? 0 : 1
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        d = Math.min(d, prev2[j - 2]! + 1)
      }
      cur[j] = d
      if (d < rowMin) rowMin = d
    }
    if (rowMin > limit) return limit + 1
    const spare = prev2
    prev2 = prev
    prev = cur
    cur = spare
  }
  return prev[m]!
}

/**
 * The candidate closest to `word`, if it is close enough to be a likely typo of it
 * (see the header for the thresholds); `undefined` when nothing is close.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const needle = word.toLowerCase()
  let bestDistance = maxDistance(needle.length) + 1
  let best: string | undefined
  for (const candidate of candidates) {
    const d = osaDistance(needle, candidate.toLowerCase(), bestDistance - 1)
    if (d < bestDistance) {
      bestDistance = d
      best = candidate
      if (d === 0) break
    }
  }
  return best
}
