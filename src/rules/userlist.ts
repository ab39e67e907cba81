/**
 * A `userlist` at run time: checks a user name and password as HAProxy's check_user does
 * (`insecure-password` compared as text, `password` through crypt(3), a user without either never
 * matches), and says which groups a user belongs to (`http_auth_group`).
 *
 * A crypt hash costs milliseconds of CPU (SHA-512: about 3 ms), and a browser sends the same
 * credentials with every request. The last password that matched each user is remembered as an
 * HMAC under a key drawn at start, so that the next request with it costs one HMAC; a different
 * password is hashed again.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { UserlistConfig } from '../model/types.ts'
import { cryptMatches, sameText } from './crypt.ts'

const MEMO_KEY = randomBytes(32)
const NO_GROUPS: readonly string[] = []

interface UserEntry {
  password: { kind: 'crypt' | 'insecure'; value: string } | undefined
  groups: readonly string[]
  /** HMAC of the last password that matched this user's crypt hash. */
  memo: Buffer | undefined
}

export class Userlist {
  readonly name: string
  #users = new Map<string, UserEntry>()

  constructor(cfg: UserlistConfig) {
    this.name = cfg.name
    const groupsOf = new Map<string, string[]>()
    for (const [g, users] of cfg.groups) for (const u of users) (groupsOf.get(u) ?? groupsOf.set(u, []).get(u)!).push(g)
    for (const u of cfg.users) this.#users.set(u.name, { password: u.password, groups: groupsOf.get(u.name) ?? NO_GROUPS, memo: undefined })
  }

  /** Whether `user` is in this list with the password `pass`. */
  check(user: string, pass: string): boolean {
    const u = this.#users.get(user)
    if (u === undefined || u.password === undefined) return false
    if (u.password.kind === 'insecure') return sameText(pass, u.password.value)
    const mac = createHmac('sha256', MEMO_KEY).update(user).update('\0').update(pass).digest()
    if (u.memo !== undefined && timingSafeEqual(mac, u.memo)) return true
    if (!cryptMatches(pass, u.password.value)) return false
    u.memo = mac
    return true
  }

  /** The groups `user` belongs to (none for an unknown user). */
  groupsOf(user: string): readonly string[] {
    return this.#users.get(user)?.groups ?? NO_GROUPS
  }
}
