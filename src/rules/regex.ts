/**
 * HAProxy's regular expressions on JavaScript's engine. HAProxy compiles them with PCRE (or libc's
 * POSIX regex): the syntax they share with JavaScript reads the same. A few forms JavaScript
 * would accept but read differently, silently, are translated here:
 *  - POSIX bracket classes, `[[:digit:]]`, `[^[:space:]]` (JavaScript reads `[:digit:]` as a set
 *    of characters);
 *  - PCRE's anchors `\A`, `\z`, `\Z` (JavaScript reads the letters);
 *  - PCRE's option setting at the start, `(?i)`, `(?s)`, `(?m)` (JavaScript refuses it), as flags.
 * What JavaScript lacks outright (possessive quantifiers, atomic groups, `(?x)`) is refused by its
 * compiler, with its message.
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f',
  space: ' \\t\\n\\r\\f\\v', blank: ' \\t', word: '\\w', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e', punct: '!-\\/:-@\\[-`{-~',
}

/** `src` written for PCRE, as JavaScript source and flags. Throws on an unknown POSIX class. */
export function translateRegex(src: string): { source: string; flags: string } {
  let flags = ''
  let i = 0
  const opt = /^\(\?([ism]+)\)/.exec(src)
  if (opt) {
    flags = [...new Set(opt[1])].join('')
    i = opt[0].length
  }
  let out = ''
  let inClass = false
  while (i < src.length) {
    const c = src[i]!
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1]!
      if (!inClass && n === 'A') out += '^'
      else if (!inClass && n === 'z') out += '$'
      else if (!inClass && n === 'Z') out += '(?=\\n?$)'
      else out += c + n
      i += 2
      continue
    }
    if (!inClass) {
      if (c === '[') {
        inClass = true
        out += c
        i++
        // A `]` right after `[` or `[^` is a member, not the end.
        if (src[i] === '^') { out += '^'; i++ }
        if (src[i] === ']') { out += '\\]'; i++ }
        continue
      }
      out += c
      i++
      continue
    }
    if (c === '[' && src[i + 1] === ':') {
      const end = src.indexOf(':]', i + 2)
      const name = end < 0 ? undefined : src.slice(i + 2, end)
      if (name !== undefined && /^[a-z]+$/.test(name)) {
        const set = POSIX_CLASSES[name]
        if (set === undefined) throw new SyntaxError(`unknown POSIX class '[:${name}:]'`)
        out += set
        i = end + 2
        continue
      }
    }
    if (c === '[') { out += '\\['; i++; continue }
    if (c === ']') inClass = false
    out += c
    i++
  }
  return { source: out, flags }
}

/** A RegExp for HAProxy's `src`, with `flags` added (`i` for `-i`, `g`…). */
export function haproxyRegex(src: string, flags = ''): RegExp {
  const t = translateRegex(src)
  return new RegExp(t.source, [...new Set(t.flags + flags)].join(''))
}
