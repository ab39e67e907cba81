/**
 * `user`/`group` names resolved as HAProxy resolves them (getpwnam/getgrnam): at load, from the
 * system's account files, so that a name this machine does not know is an error at its line
 * rather than a surprise at start. Only the files are read (/etc/passwd, /etc/group); names
 * served by another NSS source (LDAP…) are written as numbers instead (`uid N`, `gid N`).
 */
import { readFileSync } from 'node:fs'

/** The third field of the `name:…` line of an account file, or undefined. */
function idIn(file: string, name: string): number | undefined {
  let text: string
  try { text = readFileSync(file, 'utf8') } catch { return undefined }
  for (const line of text.split('\n')) {
    const f = line.split(':')
    if (f[0] === name && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2])
  }
  return undefined
}

export const PASSWD = '/etc/passwd'
export const GROUP = '/etc/group'

export function userId(name: string): number | undefined {
  return idIn(PASSWD, name)
}

export function groupId(name: string): number | undefined {
  return idIn(GROUP, name)
}
