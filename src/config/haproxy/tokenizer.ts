/**
 * The HAProxy line tokenizer: one config line in, its words out, as HAProxy splits them.
 *
 * - words are separated by blanks; `#` starts a comment unless quoted or escaped;
 * - backslash escapes outside single quotes: `\ ` `\#` `\\` `\'` `\"` `\$`, `\r` `\n` `\t`,
 *   `\xNN` (so `HTTP/1.1\r\nHost:\ www` carries a real CRLF, as the 1.x httpchk form expects);
 * - "double quotes" group a word and still expand escapes and `${VAR}`;
 *   'single quotes' group a word and keep everything literal;
 * - `${VAR}` and `${VAR-default}` expand from the environment (unset without default: empty,
 *   with a warning from the caller); `$VAR` without braces only inside double quotes, as HAProxy
 *   2.x reads it (unquoted, `$6$salt$hash` stays as written; addresses expand it themselves: the
 *   reader's `expandAddress`). A `$` not followed by a name stays as written.
 *
 * Quotes may join parts of one word (`a"b c"d` is one word `ab cd`).
 */
import { ConfigError, type SourcePos } from '../../model/source.ts'

export interface TokenizedLine {
  words: string[]
  /** Text after an unquoted `#`, trimmed, without the `#`. */
  comment?: string
  /** Names of `${VAR}` references that had no value and no default. */
  unsetVars: string[]
}

export type Env = Readonly<Record<string, string | undefined>>

const BLANK = /[ \t]/

/** Splits one line into words. Throws ConfigError on unbalanced quotes or a bad escape. */
export function tokenizeLine(text: string, pos: SourcePos, env: Env = {}): TokenizedLine {
  const words: string[] = []
  const unsetVars: string[] = []
  let comment: string | undefined
  let word = ''
  let inWord = false // a word has started (even an empty quoted one: "" is a word)
  let i = 0
  const n = text.length

  const expandVar = (at: number): number => {
    // text[at] === '$' and text[at + 1] === '{'
    const end = text.indexOf('}', at + 2)
    if (end < 0) throw new ConfigError(`unterminated environment variable reference at column ${at + 1}`, { ...pos, col: at + 1 })
    const body = text.slice(at + 2, end)
    const dash = body.indexOf('-')
    const name = dash >= 0 ? body.slice(0, dash) : body
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ConfigError(`invalid environment variable name '${name}' in '\${${body}}'`, { ...pos, col: at + 1 })
    }
    const value = env[name]
    if (value !== undefined) word += value
    else if (dash >= 0) word += body.slice(dash + 1)
    else unsetVars.push(name)
    inWord = true
    return end + 1
  }

  /** `$NAME` without braces (text[at] === '$', a letter or '_' after it). */
  const expandBare = (at: number): number => {
    let end = at + 1
    while (end < n && /[A-Za-z0-9_]/.test(text[end]!)) end++
    const name = text.slice(at + 1, end)
    const value = env[name]
    if (value !== undefined) word += value
    else unsetVars.push(name)
    inWord = true
    return end
  }
  const bareVarAt = (at: number): boolean => text[at] === '$' && at + 1 < n && /[A-Za-z_]/.test(text[at + 1]!)

  const escape = (at: number): number => {
    // text[at] === '\\'
    if (at + 1 >= n) {
      // A trailing backslash is kept literally (HAProxy would join lines; edgelb reads line by line).
      word += '\\'
      inWord = true
      return at + 1
    }
    const c = text[at + 1]!
    inWord = true
    switch (c) {
      case 'r': word += '\r'; return at + 2
      case 'n': word += '\n'; return at + 2
      case 't': word += '\t'; return at + 2
      case 'x': {
        const hex = text.slice(at + 2, at + 4)
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new ConfigError(`invalid escape '\\x${hex}': expected two hex digits`, { ...pos, col: at + 1 })
        word += String.fromCharCode(parseInt(hex, 16))
        return at + 4
      }
      case ' ': case '#': case '\\': case "'": case '"': case '$':
        word += c
        return at + 2
      default:
        // Not an escape: the backslash stays, as HAProxy keeps it, so that regular expressions
        // (`path_reg ^/a\.b`, `regsub(\.,_)`) and back-references (`replace-header … \1`) reach
        // the rule as written.
        word += '\\' + c
        return at + 2
    }
  }

  while (i < n) {
    const c = text[i]!
    if (BLANK.test(c)) {
      if (inWord) { words.push(word); word = ''; inWord = false }
      i++
    } else if (c === '#') {
      comment = text.slice(i + 1).trim()
      break
    } else if (c === '\\') {
      i = escape(i)
    } else if (c === '"') {
      inWord = true
      i++
      for (;;) {
        if (i >= n) throw new ConfigError(`unbalanced double quote starting a word; close it with "`, pos)
        const q = text[i]!
        if (q === '"') { i++; break }
        if (q === '\\') i = escape(i)
        else if (q === '$' && text[i + 1] === '{') i = expandVar(i)
        else if (bareVarAt(i)) i = expandBare(i)
        else { word += q; i++ }
      }
    } else if (c === "'") {
      inWord = true
      const end = text.indexOf("'", i + 1)
      if (end < 0) throw new ConfigError(`unbalanced single quote starting a word; close it with '`, pos)
      word += text.slice(i + 1, end)
      i = end + 1
    } else if (c === '$' && text[i + 1] === '{') {
      i = expandVar(i)
    } else {
      word += c
      inWord = true
      i++
    }
  }
  if (inWord) words.push(word)
  const out: TokenizedLine = { words, unsetVars }
  if (comment !== undefined && comment !== '') out.comment = comment
  return out
}

const PLAIN = /^[A-Za-z0-9_.,:/@%+=\-*!(){}<>[\]~^|?&;]+$/

/** Writes a word so that tokenizeLine reads it back unchanged: bare when safe, else quoted. */
export function quoteWord(w: string): string {
  if (w !== '' && PLAIN.test(w) && !w.includes('${')) return w
  if (!/[\\"$\r\n\t]/.test(w) && !w.includes("'")) return `'${w}'`
  let out = '"'
  for (const c of w) {
    if (c === '"' || c === '\\' || c === '$') out += '\\' + c
    else if (c === '\r') out += '\\r'
    else if (c === '\n') out += '\\n'
    else if (c === '\t') out += '\\t'
    else if (c < ' ' || c === '\x7f') out += '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')
    else out += c
  }
  return out + '"'
}

/** Joins words into one line that tokenizes back to the same words. */
export function joinWords(words: readonly string[]): string {
  return words.map(quoteWord).join(' ')
}
