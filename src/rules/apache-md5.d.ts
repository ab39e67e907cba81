/** apache-md5 ships no types: `md5(password, salt)` gives the MD5-crypt hash (`$1$` when the salt
 *  begins so, `$apr1$` otherwise); without a salt, a random one. */
declare module 'apache-md5' {
  export default function md5(password: string, salt?: string): string
}
