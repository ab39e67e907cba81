/**
 * The regular expressions and replacement strings of HAProxy 1.x's header filters (`reqrep`,
 * `rspdel`, `reqideny`…) as JavaScript runs them.
 *
 * HAProxy 1.x compiled a filter's pattern with PCRE when it was built with it (as distributions
 * built it), else with the C library's POSIX extended syntax. What both write alike is kept; what
 * JavaScript would read differently is rewritten:
 *
 *   [[:space:]] [^[:alnum:]_] …    the POSIX classes inside brackets → their ranges
 *   []a] [^]a]                     a `]` first in brackets is literal → [\]a] [^\]a]
 *   \A  \z  \Z                     → ^ $ $ (a filter sees one line, without its CRLF)
 *   \e  \a  \h  \H  \x{HH}         → \x1b \x07 [\t ] [^\t ] \xHH
 *   \Q…\E                          → the text between, escaped
 *   (?i) at the start              → the `i` flag; (?P<name>…) (?P=name) → (?<name>…) \k<name>
 *
 * Any other backslash before a letter is refused: JavaScript reads an escape it does not know as
 * the letter itself (`\K` would match "K"), which is not what the pattern meant to HAProxy. So is
 * what JavaScript cannot compile (atomic groups, possessive quantifiers, inline options elsewhere
 * than at the start): the error names the pattern, and the caller its line.
 */

/** The letters JavaScript's escapes give the meaning PCRE gives them, outside brackets. */
const SAME_ESCAPES = 'bBdDwWsStnvfr0'
/** Inside brackets (`\b` is the backspace in both). */
const SAME_CLASS_ESCAPES = 'bdDwWsStnvfr0'

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  blank: '\\t ',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
  word: '0-9A-Za-z_',
}

/** `text` as a JavaScript regex source that matches it literally. */
function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}

/** Reads the escape at `src[i]` (a backslash); returns its JavaScript form and the index after it. */
function escapeAt(src: string, i: number, inClass: boolean): [string, number] {
  const c = src[i + 1]
  if (c === undefined) throw new Error('it ends with a lone backslash')
  if (!/[A-Za-z]/.test(c)) return [`\\${c}`, i + 2]
  if ((inClass ? SAME_CLASS_ESCAPES : SAME_ESCAPES).includes(c)) return [`\\${c}`, i + 2]
  switch (c) {
    case 'e': return ['\\x1b', i + 2]
    case 'a': return ['\\x07', i + 2]
    case 'h': return [inClass ? '\\t ' : '[\\t ]', i + 2]
    case 'H': if (!inClass) return ['[^\\t ]', i + 2]; break
    case 'A': if (!inClass) return ['^', i + 2]; break
    case 'z': case 'Z': if (!inClass) return ['$', i + 2]; break
    case 'c':
      if (/[A-Za-z]/.test(src[i + 2] ?? '')) return [src.slice(i, i + 3), i + 3]
      break
    case 'x': {
      const two = /^[0-9A-Fa-f]{2}/.exec(src.slice(i + 2))
      if (two) return [`\\x${two[0]}`, i + 4]
      const braced = /^\{([0-9A-Fa-f]{1,2})\}/.exec(src.slice(i + 2))
      if (braced) return [`\\x${braced[1]!.padStart(2, '0')}`, i + 2 + braced[0].length]
      const one = /^[0-9A-Fa-f]/.exec(src.slice(i + 2))
      if (one) return [`\\x0${one[0]}`, i + 3]
      break
    }
    case 'k':
      if (!inClass && src[i + 2] === '<') return ['\\k', i + 2]
      break
  }
  throw new Error(`'\\${c}' has no JavaScript equivalent here`)
}

/** Reads a bracket expression starting at `src[i]` (`[`); returns its JavaScript form and the
 *  index after its closing `]`. */
function bracketAt(src: string, i: number): [string, number] {
  let out = '['
  let j = i + 1
  if (src[j] === '^') { out += '^'; j++ }
  if (src[j] === ']') { out += '\\]'; j++ }
  for (;;) {
    const c = src[j]
    if (c === undefined) throw new Error(`the bracket expression at offset ${i} is not closed`)
    if (c === ']') return [out + ']', j + 1]
    if (c === '\\') {
      const [js, next] = escapeAt(src, j, true)
      out += js
      j = next
      continue
    }
    if (c === '[' && (src[j + 1] === ':' || src[j + 1] === '.' || src[j + 1] === '=')) {
      const kind = src[j + 1]!
      const end = src.indexOf(`${kind}]`, j + 2)
      if (end < 0) throw new Error(`'[${kind}' at offset ${j} is not closed`)
      const name = src.slice(j + 2, end)
      const range = kind === ':' ? POSIX_CLASSES[name] : undefined
      if (range === undefined) throw new Error(`'[${kind}${name}${kind}]' has no JavaScript equivalent`)
      out += range
      j = end + 2
      continue
    }
    out += c
    j++
  }
}

/**
 * `source` (a 1.x filter's pattern, as the configuration tokenizer left it) as a JavaScript
 * RegExp, case-insensitive when `icase` (the `i` keywords: reqirep…). Throws an Error saying why
 * it cannot be.
 */
export function legacyRegex(source: string, icase: boolean): RegExp {
  const t = translateLegacyRegex(source, icase)
  try {
    return new RegExp(t.source, t.flags)
  } catch (e) {
    throw new Error((e as Error).message)
  }
}

/** The JavaScript source and flags of a 1.x pattern (see legacyRegex), not yet compiled. */
export function translateLegacyRegex(source: string, icase: boolean): { source: string; flags: string } {
  let flags = icase ? 'i' : ''
  let src = source
  if (src.startsWith('(?i)')) { src = src.slice(4); flags = 'i' }
  let out = ''
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (c === '\\') {
      if (src[i + 1] === 'Q') {
        const end = src.indexOf('\\E', i + 2)
        const text = src.slice(i + 2, end < 0 ? src.length : end)
        out += escapeLiteral(text)
        i = end < 0 ? src.length : end + 2
        continue
      }
      if (src[i + 1] === 'E') { i += 2; continue }
      const [js, next] = escapeAt(src, i, false)
      out += js
      i = next
    } else if (c === '[') {
      const [js, next] = bracketAt(src, i)
      out += js
      i = next
    } else if (src.startsWith('(?P<', i)) {
      out += '(?<'
      i += 4
    } else if (src.startsWith('(?P=', i)) {
      const end = src.indexOf(')', i)
      if (end < 0) throw new Error(`'(?P=' at offset ${i} is not closed`)
      out += `\\k<${src.slice(i + 4, end)}>`
      i = end + 1
    } else {
      out += c
      i++
    }
  }
  return { source: out, flags }
}

/**
 * A 1.x replacement string (`reqrep`'s and `rsprep`'s second word), compiled: `\0`…`\9` are the
 * match and its groups (empty when a group did not take part), `\xHH` a byte, a backslash before
 * anything else that thing. The result replaces the whole line, as in 1.x. Throws an Error on a
 * trailing backslash or a `\x` without two hex digits, which 1.x refused too.
 */
export function legacyReplacement(template: string): (m: RegExpExecArray) => string {
  const parts: (string | number)[] = []
  let lit = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!
    if (c !== '\\') { lit += c; continue }
    const n = template[i + 1]
    if (n === undefined) throw new Error(`the replacement '${template}' ends with a lone backslash`)
    if (n >= '0' && n <= '9') {
      if (lit !== '') parts.push(lit)
      lit = ''
      parts.push(n.charCodeAt(0) - 48)
      i++
    } else if (n === 'x') {
      const hex = template.slice(i + 2, i + 4)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`'\\x' in the replacement '${template}' needs two hex digits`)
      lit += String.fromCharCode(parseInt(hex, 16))
      i += 3
    } else {
      lit += n
      i++
    }
  }
  if (lit !== '') parts.push(lit)
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const constant = parts[0]
    return () => constant
  }
  return (m) => {
    let s = ''
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!
      s += typeof p === 'string' ? p : (m[p] ?? '')
    }
    return s
  }
}
