/**
 * A `userlist NAME` section, as HAProxy 2.6 reads it:
 *
 *   group NAME [users U1,U2,…]
 *   user NAME [password HASH | insecure-password TEXT] [groups G1,G2,…]
 *
 * A `password` is a crypt(3) hash; edgelb checks SHA-512 (`$6$`), SHA-256 (`$5$`), MD5 (`$1$`)
 * and bcrypt (`$2a$`/`$2b$`/`$2y$`), and refuses any other at its line rather than let a user
 * in or out by surprise. Groups named on either side must be declared in the section.
 */
import { ConfigError, type SectionSource } from '../model/source.ts'
import type { UserConfig, UserlistConfig } from '../model/types.ts'
import { cryptPrefix, cryptScheme } from '../rules/crypt.ts'

const listOf = (v: string): string[] => v.split(',').filter((x) => x !== '')

/** Reads the section; `guard` reports each line's ConfigError and goes on with the next. */
export function readUserlist(s: SectionSource, guard: (f: () => void) => void, warn: (message: string, at: SectionSource['pos']) => void = () => {}): UserlistConfig {
  const out: UserlistConfig = { name: s.name, pos: s.pos, users: [], groups: new Map() }
  const userGroups: { user: string; groups: string[]; d: SectionSource['directives'][number] }[] = []
  const groupUsers: { group: string; users: string[]; d: SectionSource['directives'][number] }[] = []
  for (const d of s.directives) {
    guard(() => {
      const [name, ...rest] = d.args
      if (name === undefined || name === '') throw new ConfigError(`'${d.kw}' expects a name: ${d.kw === 'user' ? 'user NAME password HASH [groups G1,G2]' : 'group NAME [users U1,U2]'}`, d.pos)
      if (d.kw === 'group') {
        if (out.groups.has(name)) throw new ConfigError(`group '${name}' is declared twice in userlist '${s.name}'`, d.pos)
        out.groups.set(name, new Set())
        if (rest.length === 0) return
        if (rest[0] !== 'users' || rest[1] === undefined || rest.length > 2) throw new ConfigError(`'group' expects 'users U1,U2,…' after its name, got '${rest.join(' ')}'`, d.pos)
        groupUsers.push({ group: name, users: listOf(rest[1]), d })
        return
      }
      if (out.users.some((u) => u.name === name)) throw new ConfigError(`user '${name}' is declared twice in userlist '${s.name}'`, d.pos)
      const user: UserConfig = { name, pos: d.pos }
      for (let i = 0; i < rest.length; i += 2) {
        const kw = rest[i]!
        const v = rest[i + 1]
        if (v === undefined) throw new ConfigError(`'${kw}' expects a value in 'user ${name}'`, d.pos)
        if (kw === 'password' || kw === 'insecure-password') {
          if (user.password) throw new ConfigError(`user '${name}' has two passwords; keep one of 'password' and 'insecure-password'`, d.pos)
          if (kw === 'password' && cryptScheme(v) === undefined && cryptPrefix(v) !== undefined) {
            // A known scheme, but not a whole hash (cut short, or hidden before publishing): crypt(3)
            // never matches it, in HAProxy as here.
            warn(`user '${name}': the password hash '${v.slice(0, 12)}…' is not a complete ${cryptPrefix(v)} crypt hash; nobody can log in as '${name}'`, d.pos)
          } else if (kw === 'password' && cryptScheme(v) === undefined) {
            throw new ConfigError(`user '${name}': the password hash '${v.slice(0, 12)}…' is not one edgelb can check; use a SHA-512 ($6$), SHA-256 ($5$), MD5 ($1$) or bcrypt ($2b$) hash (openssl passwd -6), or insecure-password`, d.pos)
          }
          user.password = { kind: kw === 'password' ? 'crypt' : 'insecure', value: v }
        } else if (kw === 'groups') {
          userGroups.push({ user: name, groups: listOf(v), d })
        } else {
          throw new ConfigError(`unknown option '${kw}' in 'user ${name}'; known: password, insecure-password, groups`, d.pos)
        }
      }
      out.users.push(user)
    })
  }
  // Both sides name groups (and users) that may be declared further down: resolved once read.
  for (const { user, groups, d } of userGroups) {
    guard(() => {
      for (const g of groups) {
        const members = out.groups.get(g)
        if (!members) throw new ConfigError(`user '${user}': no group '${g}' in userlist '${s.name}'; declare it with 'group ${g}'`, d.pos)
        members.add(user)
      }
    })
  }
  for (const { group, users, d } of groupUsers) {
    guard(() => {
      for (const u of users) {
        if (!out.users.some((x) => x.name === u)) throw new ConfigError(`group '${group}': no user '${u}' in userlist '${s.name}'`, d.pos)
        out.groups.get(group)!.add(u)
      }
    })
  }
  return out
}
