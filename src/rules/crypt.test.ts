import { expect, test } from 'bun:test'
import { hashSync } from 'bcryptjs'
import { cryptMatches, cryptScheme, sameText } from './crypt.ts'

// Test vectors of the SHA-crypt specification (Drepper) and of MD5-crypt as glibc and openssl passwd make it.
const VECTORS: [string, string][] = [
  ['Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  ['Hello world!', '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
  ['password', '$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/'],
]

test('crypt(3) hashes: the right password matches, another does not', () => {
  for (const [pw, hash] of VECTORS) {
    expect(cryptScheme(hash)).toBeDefined()
    expect(cryptMatches(pw, hash)).toBe(true)
    expect(cryptMatches(pw + 'x', hash)).toBe(false)
  }
})

test('bcrypt', () => {
  const hash = hashSync('s3cret', 4)
  expect(cryptScheme(hash)).toBe('bcrypt')
  expect(cryptMatches('s3cret', hash)).toBe(true)
  expect(cryptMatches('s3creT', hash)).toBe(false)
})

test('schemes edgelb cannot check are not recognised', () => {
  for (const h of ['abJnggxhB/yWI', '$y$j9T$abc$def', '$6$salt$short', '']) expect(cryptScheme(h)).toBeUndefined()
  expect(cryptMatches('x', 'abJnggxhB/yWI')).toBe(false)
})

test('sameText compares whole strings', () => {
  expect(sameText('abc', 'abc')).toBe(true)
  expect(sameText('abc', 'abd')).toBe(false)
  expect(sameText('abc', 'abcd')).toBe(false)
})
