/**
 * Which certificate answers a server name: exact names first, then a wildcard one level deep
 * (`*.example.com` answers `www.example.com`, not `example.com` nor `a.b.example.com`), as
 * HAProxy selects. Two Map lookups whatever the number of certificates. For one name, the
 * certificate declared first wins. A crt-list line's negative filters (`!secure.example.com`)
 * keep its certificate from answering those names.
 */
export class SniIndex<C> {
  readonly #exact = new Map<string, C>()
  /** Keyed by what follows `*.`. */
  readonly #wild = new Map<string, C>()
  readonly #excluded = new Map<C, Set<string>>()

  /** `name` (lower case; `*.` for a wildcard) is answered by `c`, unless an earlier one has it. */
  add(name: string, c: C): void {
    if (name.startsWith('*.')) {
      const rest = name.slice(2)
      if (!this.#wild.has(rest)) this.#wild.set(rest, c)
    } else if (!this.#exact.has(name)) this.#exact.set(name, c)
  }

  /** `c` never answers `name` (exact, lower case), though a wildcard of it matches. */
  exclude(name: string, c: C): void {
    let set = this.#excluded.get(c)
    if (set === undefined) this.#excluded.set(c, (set = new Set()))
    set.add(name)
  }

  get size(): number {
    return this.#exact.size + this.#wild.size
  }

  /** The certificate for the name a client sent, or undefined. */
  lookup(serverName: string): C | undefined {
    let name = serverName.toLowerCase()
    if (name.endsWith('.')) name = name.slice(0, -1)
    const exact = this.#exact.get(name)
    if (exact !== undefined && !this.#excluded.get(exact)?.has(name)) return exact
    const dot = name.indexOf('.')
    if (dot <= 0) return undefined
    const wild = this.#wild.get(name.slice(dot + 1))
    if (wild !== undefined && !this.#excluded.get(wild)?.has(name)) return wild
    return undefined
  }
}
