/**
 * The shapes of the keyword dictionary: every word HAProxy's configuration language knows
 * (HAProxy 2.6 and later, plus the 1.x words old configurations still carry). The builder
 * (config/build.ts, shared by both readers) uses these tables to tell three things apart: a
 * keyword edgelb implements, a keyword HAProxy knows that edgelb does not implement yet (a
 * warning), and a word HAProxy itself would reject (an error, with a did-you-mean); it also
 * takes from them where each keyword may be written and whether it has a `no` form.
 */

/**
 * What a keyword protects when an operator writes it: it encrypts (`tls`), carries the client's
 * address (`proxy-protocol`), authenticates (`authentication`), restricts who may reach or do what
 * (`access`), decides what reaches the servers (`rules`, `filter`, `lua`). A keyword that
 * protects and that edgelb does not implement is an error, not a warning (fail closed): running
 * without it would let traffic through unprotected. protection.ts says what each one means.
 */
export type Protection = 'tls' | 'proxy-protocol' | 'authentication' | 'access' | 'rules' | 'filter' | 'lua'

/**
 * A keyword HAProxy knows. `kw` is the full phrase as written: 'maxconn', 'timeout connect',
 * 'option httpclose', 'stats socket', 'tcp-request content', 'http-check expect'.
 */
export interface KnownKeyword {
  kw: string
  /**
   * Proxy keywords only: the letters of 'dfbl' (defaults, frontend, backend, listen) naming
   * the sections where HAProxy allows the keyword. Absent for the other sections' tables.
   */
  sections?: string
  /** Proxy keywords only: allowed in a defaults section only when it is named (HAProxy 2.5+
   *  refuses ACLs and TCP/HTTP rules in an anonymous `defaults`). */
  namedDefaultsOnly?: true
  /** Proxy keywords only: HAProxy refuses the keyword in a frontend or backend lacking the side
   *  it needs (`failifnotcap`: `server-template` in a frontend); for the others it only warns
   *  and ignores the line (`warnifnotcap`). */
  failIfNotCap?: true
  /** The keyword accepts a leading `no` (`no option httpclose`, `no log`). */
  noForm?: boolean
  /** The keyword protects (see protection.ts): not implemented, it refuses the config. */
  protects?: Protection
}

/** A word on a `server`/`default-server` or `bind` line: how many argument words follow it. */
export interface KnownOption {
  kw: string
  args: number
  /** Refused on `default-server` lines: it names one server (its `id`, its `guid`). */
  serverOnly?: boolean
  /** The option protects (see protection.ts): not implemented, it refuses the config. */
  protects?: Protection
}

/** A keyword HAProxy removed or renamed, and what to write instead. */
export interface LegacyKeyword {
  kw: string
  /** What to write instead, e.g. 'timeout connect'. */
  replacement: string
  /** For the 1.x proxy keywords edgelb still reads itself (`contimeout`, `monitor-net`…): the
   *  sections HAProxy 1.x allowed them in, letters of 'dfbl' as in KnownKeyword. */
  sections?: string
  /** For those: the keyword accepts a leading `no` (`no option forceclose`). */
  noForm?: boolean
}
