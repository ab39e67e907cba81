/**
 * Giving up root once the listeners are bound, as HAProxy does with `chroot`, `user`/`uid` and
 * `group`/`gid`: the process is confined to a directory and runs as an unprivileged user from then
 * on. Part of the runtime adapter because chroot(2) has no JavaScript API: it is called through
 * the runtime's FFI on the C library.
 *
 * Fail closed: every step either happens or throws an Error saying what could not be done and
 * why; the caller stops edgelb rather than serve with privileges the configuration gave up.
 */
import { statSync } from 'node:fs'
import { errnoName, loadLibc, type Libc } from './bun-libc.ts'

export interface Privileges {
  /** `chroot DIR`: the new root directory. */
  chroot?: string
  /** `user NAME` / `uid N`, resolved to a number. */
  uid?: number
  /** `group NAME` / `gid N`, resolved to a number. */
  gid?: number
}

let libc: Libc | undefined

/** Whether the process runs as root (the only case where it can change user or root directory). */
export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0
}

/**
 * Readies `dropPrivileges(p)` before anything is bound (the C library is loaded now, so that the
 * drop itself is synchronous and no connection is served in between), and returns what would stop
 * it: not root where a change is asked, a chroot directory that is not one. `undefined` when
 * nothing stands in the way.
 */
export async function preparePrivileges(p: Privileges): Promise<string | undefined> {
  const problem = privilegesProblem(p)
  if (problem === undefined && p.chroot !== undefined) libc = await loadLibc()
  return problem
}

function privilegesProblem(p: Privileges): string | undefined {
  const root = isRoot()
  if (p.chroot !== undefined) {
    if (!root) return `'chroot ${p.chroot}' needs root, and edgelb runs as uid ${process.geteuid?.()}; start it as root (it gives root up once bound), or remove the line and confine it with systemd's RootDirectory=`
    let dir = false
    try { dir = statSync(p.chroot).isDirectory() } catch { /* reported below */ }
    if (!dir) return `'chroot ${p.chroot}': no such directory`
  }
  if (!root && p.gid !== undefined && process.getegid?.() !== p.gid) return `cannot switch to gid ${p.gid}: edgelb runs as gid ${process.getegid?.()} and is not root`
  if (!root && p.uid !== undefined && process.geteuid?.() !== p.uid) return `cannot switch to uid ${p.uid}: edgelb runs as uid ${process.geteuid?.()} and is not root`
  return undefined
}

/**
 * Applies `p` in HAProxy's order: chroot (then chdir '/'), supplementary groups and gid, uid.
 * Not root, it only accepts what is already true (the same uid and gid); anything else throws.
 * `preparePrivileges(p)` must have been awaited first.
 */
export function dropPrivileges(p: Privileges): void {
  const root = isRoot()
  if (p.chroot !== undefined) {
    if (!root) throw new Error(`'chroot ${p.chroot}' needs root, and edgelb runs as uid ${process.geteuid?.()}; start it as root (it gives root up once bound), or remove the line and confine it with systemd's RootDirectory=`)
    const c = libc
    if (c === undefined) throw new Error(`cannot chroot to ${p.chroot}: preparePrivileges() was not called first`)
    // The local time zone is read from /etc on first use: read it while /etc is still there.
    new Date().getTimezoneOffset()
    if (c.chroot(p.chroot) !== 0) throw new Error(`cannot chroot to ${p.chroot}: ${errnoName(c.errno())}`)
    process.chdir('/')
  }
  if (p.gid !== undefined && process.getegid?.() !== p.gid) {
    if (!root) throw new Error(`cannot switch to gid ${p.gid}: edgelb runs as gid ${process.getegid?.()} and is not root`)
    process.setgroups?.([p.gid])
    process.setgid!(p.gid)
  }
  if (p.uid !== undefined && process.geteuid?.() !== p.uid) {
    if (!root) throw new Error(`cannot switch to uid ${p.uid}: edgelb runs as uid ${process.geteuid?.()} and is not root`)
    // root's supplementary groups go too, whether or not a group was given
    if (p.gid === undefined) process.setgroups?.([process.getegid!()])
    process.setuid!(p.uid)
  }
}
