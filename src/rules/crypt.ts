/**
 * crypt(3) password hashes as HAProxy's `userlist … password HASH` takes them from the C
 * library: SHA-512 (`$6$`), SHA-256 (`$5$`), MD5 (`$1$`) and bcrypt (`$2a$`, `$2b$`, `$2y$`).
 * The hashing is the libraries' (unixcrypt for SHA-crypt, apache-md5 for MD5-crypt, bcryptjs);
 * the comparison of the result is this module's, in constant time.
 */
import { timingSafeEqual } from 'node:crypto'
import md5crypt from 'apache-md5'
import { compareSync as bcryptCompare } from 'bcryptjs'
import { encrypt as shaCrypt } from 'unixcrypt'

export type CryptScheme = 'sha512' | 'sha256' | 'md5' | 'bcrypt'

/** The scheme of a crypt(3) hash, or undefined for one edgelb cannot check (DES, yescrypt…). */
export function cryptScheme(hash: string): CryptScheme | undefined {
  if (/^\$6\$(rounds=\d+\$)?[^$]{0,16}\$[./0-9A-Za-z]{86}$/.test(hash)) return 'sha512'
  if (/^\$5\$(rounds=\d+\$)?[^$]{0,16}\$[./0-9A-Za-z]{43}$/.test(hash)) return 'sha256'
  if (/^\$1\$[^$]{0,8}\$[./0-9A-Za-z]{22}$/.test(hash)) return 'md5'
  if (/^\$2[aby]\$\d\d\$[./0-9A-Za-z]{53}$/.test(hash)) return 'bcrypt'
  return undefined
}

/** The scheme a hash names by its prefix, complete or not. */
export function cryptPrefix(hash: string): CryptScheme | undefined {
  return hash.startsWith('$6$') ? 'sha512' : hash.startsWith('$5$') ? 'sha256' : hash.startsWith('$1$') ? 'md5' : /^\$2[aby]\$/.test(hash) ? 'bcrypt' : undefined
}

/** Whether `password` hashes to `hash` (whose scheme `cryptScheme` knows). */
export function cryptMatches(password: string, hash: string): boolean {
  switch (cryptScheme(hash)) {
    case 'sha512':
    case 'sha256':
      return sameText(shaCrypt(password, hash.slice(0, hash.lastIndexOf('$'))), hash)
    case 'md5':
      // apache-md5 hashes the password's characters as bytes (latin1): a password outside that
      // range is compared in its UTF-8 bytes, as crypt(3) would see it.
      return sameText(md5crypt(Buffer.from(password, 'utf8').toString('latin1'), hash), hash)
    case 'bcrypt':
      return bcryptCompare(password, hash)
    default:
      return false
  }
}

/** Equality of two strings in a time that depends on their lengths only. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  if (x.length !== y.length) {
    timingSafeEqual(y, y)
    return false
  }
  return timingSafeEqual(x, y)
}
