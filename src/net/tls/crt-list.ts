/**
 * `crt-list FILE`: one certificate per line, `<crtfile> [[<options>]] [[!]<snifilter> …]`, `#`
 * comments and blank lines ignored. SNI filters, when a line has positive ones, replace the
 * certificate's own names; negative ones (`!name`) keep it from answering those names.
 *
 * Per-line options (`[alpn h2 ciphers …]`) are refused: the runtime switches the certificate on
 * SNI but not the settings HAProxy applies with it (versions, ciphers, verify, ALPN), so they
 * would be silently ignored; write them on the bind line. `[ocsp-update off]` alone is accepted.
 */
import { ConfigError, type SourcePos } from '../../model/source.ts'

export interface CrtListLine {
  crt: string
  /** Positive SNI filters (lower case); empty: the certificate's own names. */
  filters: string[]
  /** Negative filters, without their `!`. */
  excluded: string[]
  /** `file:line` of the line, for messages. */
  at: SourcePos
}

export function parseCrtList(text: string, file: string): CrtListLine[] {
  const out: CrtListLine[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '').trim()
    if (raw === '' || raw.startsWith('#')) continue
    const at: SourcePos = { file, line: i + 1 }
    let rest = raw
    const first = /^(\S+)\s*/.exec(rest)!
    const crt = first[1]!
    rest = rest.slice(first[0].length)
    if (rest.startsWith('[')) {
      const end = rest.indexOf(']')
      if (end < 0) throw new ConfigError(`missing ']' after the options of '${crt}'`, at)
      const options = rest.slice(1, end).trim().split(/\s+/).filter((w) => w !== '')
      if (!(options.length === 0 || (options.length === 2 && options[0] === 'ocsp-update' && options[1] === 'off'))) {
        throw new ConfigError(`per-certificate options [${options.join(' ')}] are not supported: edgelb cannot apply them to one certificate; put them on the bind line`, at)
      }
      rest = rest.slice(end + 1).trim()
    }
    const words = rest === '' ? [] : rest.split(/\s+/)
    out.push({
      crt,
      filters: words.filter((w) => !w.startsWith('!')).map((w) => w.toLowerCase()),
      excluded: words.filter((w) => w.startsWith('!')).map((w) => w.slice(1).toLowerCase()),
      at,
    })
  }
  return out
}
