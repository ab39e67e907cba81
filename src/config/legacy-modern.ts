/**
 * The modern form of the HAProxy 1.x lines edgelb still reads: what the builder's warning names
 * for each line, and what `edgelb convert` writes in its place when it means exactly the same.
 *
 *   reqadd X-Proto:\ SSL if ssl       → http-request add-header X-Proto SSL if ssl
 *   rspidel ^Server:.*                → http-response del-header Server
 *   reqirep ^Host:\ (.*) Host:\ w.\1  → http-request replace-header Host ^(.*) w.\1
 *   block if bad                      → http-request deny if bad (before the http-request rules)
 *   option forceclose                 → option httpclose
 *   redispatch, contimeout 5s …       → option redispatch, timeout connect 5s …
 *
 * A line's form is exact when, run where 1.x ran the line, it changes the same things: a
 * case-sensitive filter (`reqdel`, `rsprep`) is not, since the modern actions find a header
 * whatever the case of its name; a filter on the request line, on values or deciding a verdict
 * has no modern action of its own. `modernizeSections` also weighs the order: 1.x ran a proxy's
 * filters after its http-request rules and its reqadds after its filters, so a section's lines
 * are converted in that order for as long as each is exact, and placed after the section's
 * http-request (http-response) rules; not at all if one of those is `allow`, which would skip
 * them. What is not converted is kept as written, with a comment giving the nearest form.
 */
import type { Directive, SectionSource } from '../model/source.ts'
import { legacyFilter, parseHeaderLine } from '../rules/legacy-filters.ts'
import { translateLegacyRegex } from '../rules/legacy-regex.ts'
import { joinWords } from './haproxy/tokenizer.ts'

export interface ModernForm {
  /** The modern line, keyword first (`['http-request', 'add-header', 'X-Proto', 'SSL']`). */
  words?: string[]
  /** The modern line means what the 1.x line meant, where 1.x ran it. */
  exact: boolean
  /** Why the modern line is not the same, or what to write when there is none. */
  note?: string
}

const TIMEOUTS: Readonly<Record<string, string>> = { contimeout: 'connect', clitimeout: 'client', srvtimeout: 'server' }

/** The name a second server called `name` in one backend gets (1.x allowed the same name twice):
 *  `name-2`, or the next number that `taken` does not hold. */
export function derivedServerName(name: string, taken: ReadonlySet<string>): string {
  let n = 2
  while (taken.has(`${name}-${n}`)) n++
  return `${name}-${n}`
}

/** `%` written so that a log-format string reads it back as itself. */
function fmt(text: string): string {
  return text.replaceAll('%', '%%')
}

/** A header name as a 1.x pattern writes it after `^` (`X-Forwarded-For`, `X\-Real\-IP`), then
 *  the rest of the pattern after its colon; undefined when the pattern does not start so. */
function namedPattern(pattern: string): { name: string; rest: string } | undefined {
  const m = /^\^((?:[A-Za-z0-9_]|\\?-)+):(.*)$/s.exec(pattern)
  return m ? { name: m[1]!.replaceAll('\\-', '-'), rest: m[2]! } : undefined
}

/** The modern form of one 1.x line (its keyword and words as read), on its own. */
export function modernForm(d: Directive): ModernForm {
  const kw = d.kw
  const args = d.args
  if (kw === 'redispatch') return { words: ['option', 'redispatch'], exact: true }
  if (TIMEOUTS[kw] !== undefined) return { words: ['timeout', TIMEOUTS[kw], ...args], exact: true }
  if (kw === 'option' && args[0] === 'forceclose') return { words: ['option', 'httpclose'], exact: true }
  if (kw === 'block') return { words: ['http-request', 'deny', ...args], exact: true }
  if (kw === 'reqadd' || kw === 'rspadd') {
    const set = kw === 'reqadd' ? 'http-request' : 'http-response'
    const h = parseHeaderLine(args[0] ?? '')
    if (h === undefined) return { exact: false, note: `write '${set} add-header NAME VALUE'` }
    return { words: [set, 'add-header', h.name, fmt(h.value), ...args.slice(1)], exact: true }
  }
  const f = legacyFilter(kw)
  if (f === undefined) return { exact: false }
  const set = f.side === 'request' ? 'http-request' : 'http-response'
  const cond = args.slice(f.kind === 'replace' ? 2 : 1)
  const caseNote = `it also finds the header when its name is written in another case, which '${kw}' did not`
  const named = namedPattern(args[0] ?? '')
  if (f.kind === 'remove') {
    if (named === undefined || !['', ' ', '.*', ' .*', '.*$', ' .*$', ' *.*', '\\s*.*'].includes(named.rest)) {
      return { exact: false, note: `it removes header lines by a pattern on their whole text, '${set} del-header NAME' a header by its name` }
    }
    const words = [set, 'del-header', named.name, ...cond]
    return f.icase ? { words, exact: true } : { words, exact: false, note: caseNote }
  }
  if (f.kind === 'replace') {
    const repl = args[1] ?? ''
    const same = named !== undefined && named.rest.startsWith(' ') ? named : undefined
    const replNamed = /^([A-Za-z0-9_-]+): (.*)$/s.exec(repl)
    const valueRe = same === undefined ? undefined : `^${same.rest.slice(1)}`
    const plain = valueRe !== undefined && !/\(/.test(same!.name) && translatedAlike(valueRe) &&
      (!f.icase || !/[A-Za-z]/.test(valueRe.replace(/\\./g, '')))
    const replOk = replNamed !== null && replNamed[1]!.toLowerCase() === same?.name.toLowerCase() && !/\\[^0-9]/.test(replNamed[2]!)
    if (!plain || !replOk) {
      return { exact: false, note: `it rewrites whole ${f.side === 'request' ? 'request' : 'status'} or header lines by a pattern; write '${set} replace-header NAME REGEX VALUE', ${f.side === 'request' ? "'replace-uri', 'replace-path' or 'set-method'" : "'replace-value' or 'set-status'"} instead` }
    }
    const words = [set, 'replace-header', same!.name, valueRe!, fmt(replNamed![2]!), ...cond]
    return f.icase ? { words, exact: true } : { words, exact: false, note: caseNote }
  }
  if (f.kind === 'pass') return { exact: false, note: `it hides lines from the filters that follow; write the conditions of the rules that follow so that they leave these requests alone` }
  const action = f.kind === 'allow' ? 'allow' : f.kind === 'tarpit' ? 'tarpit' : 'deny'
  return { exact: false, note: `it decides by a pattern on whole lines; write '${set} ${action} if { … }' with an ACL on the field it looks for` }
}

/** Whether a JavaScript regex source is read by edgelb's 1.x translation exactly as written. */
function translatedAlike(source: string): boolean {
  try {
    return translateLegacyRegex(source, false).source === source
  } catch {
    return false
  }
}

/** The line as HAProxy 1.x wrote it, for comments. */
function written(d: Directive): string {
  return joinWords([...(d.no ? ['no'] : []), d.kw, ...d.args])
}

function withComment(d: Directive, note: string): Directive {
  return { ...d, comment: d.comment === undefined ? note : `${d.comment}\n${note}` }
}

function translated(d: Directive, words: string[]): Directive {
  const out: Directive = { kw: words[0]!, args: words.slice(1), pos: d.pos }
  if (d.no) out.no = true
  return withComment(out, `edgelb convert: HAProxy 1.x wrote: ${written(d)}`)
}

function kept(d: Directive, form: ModernForm): Directive {
  const nearest = form.words === undefined ? '' : `${form.exact ? 'its modern form is' : 'the nearest modern form is'} '${joinWords(form.words)}', but `
  return withComment(d, `edgelb convert: kept as HAProxy 1.x wrote it (edgelb runs it as 1.x did); ${nearest}${form.note ?? 'it has no modern equivalent'}`)
}

const PROXY_SECTIONS = new Set(['defaults', 'frontend', 'backend', 'listen'])

/** The sections with each 1.x line in its modern form where that form is exact (see the top). */
export function modernizeSections(sections: readonly SectionSource[]): SectionSource[] {
  return sections.map((s) => (PROXY_SECTIONS.has(s.type) ? { ...s, directives: modernizeProxy(s.directives) } : s))
}

function modernizeProxy(directives: readonly Directive[]): Directive[] {
  const out: Directive[] = []
  const replace = new Map<Directive, Directive>()
  // The 1.x filters of each side in the order 1.x ran them: filters, then reqadd/rspadd.
  const sides = { request: [] as Directive[], response: [] as Directive[] }
  const adds = { request: [] as Directive[], response: [] as Directive[] }
  const blocks: Directive[] = []
  const serverNames = new Set<string>()
  for (const d of directives) {
    const f = legacyFilter(d.kw)
    if (f !== undefined) sides[f.side].push(d)
    else if (d.kw === 'reqadd') adds.request.push(d)
    else if (d.kw === 'rspadd') adds.response.push(d)
    else if (d.kw === 'block') blocks.push(d)
    else if (d.kw === 'redispatch' || TIMEOUTS[d.kw] !== undefined || (d.kw === 'option' && d.args[0] === 'forceclose' && !d.reset)) {
      replace.set(d, translated(d, modernForm(d).words!))
    } else if (d.kw === 'server' && d.args[0] !== undefined) {
      const name = d.args[0]
      if (serverNames.has(name)) {
        const renamed = derivedServerName(name, serverNames)
        replace.set(d, withComment({ ...d, args: [renamed, ...d.args.slice(1)] }, `edgelb convert: a second server named '${name}' (HAProxy 1.x allowed it); renamed '${renamed}'`))
        serverNames.add(renamed)
      } else {
        serverNames.add(name)
      }
    }
  }
  const insertAfter = (set: string): { at: Directive | undefined; lines: Directive[] } => {
    const rules = directives.filter((d) => d.kw === set)
    return { at: rules[rules.length - 1], lines: [] }
  }
  const placed = new Map<Directive, Directive[]>()
  const dropped = new Set<Directive>()
  for (const side of ['request', 'response'] as const) {
    const set = side === 'request' ? 'http-request' : 'http-response'
    const order = [...sides[side], ...adds[side]]
    if (order.length === 0) continue
    const allows = directives.some((d) => d.kw === set && d.args[0] === 'allow')
    const target = insertAfter(set)
    let firstKept: Directive | undefined
    for (const d of order) {
      const form = modernForm(d)
      if (!allows && firstKept === undefined && form.exact && form.words !== undefined) {
        target.lines.push(translated(d, form.words))
        dropped.add(d)
        continue
      }
      let note = form
      if (form.exact && form.words !== undefined) {
        note = allows
          ? { ...form, note: `converted, it would run among the ${set} rules, and this section's '${set} allow' would skip it` }
          : { ...form, note: `converted, it would run before '${firstKept!.kw}' (line ${firstKept!.pos.line}), which 1.x ran first` }
      }
      firstKept ??= d
      replace.set(d, kept(d, note))
    }
    if (target.lines.length === 0) continue
    // After the section's last rule of the set, else where the first converted line stood.
    const anchor = target.at ?? directives.find((d) => dropped.has(d) && order.includes(d))!
    placed.set(anchor, [...(placed.get(anchor) ?? []), ...target.lines])
  }
  // Blocks go first of the section's http-request rules, converted ones included.
  const requestSide = (d: Directive): boolean => d.kw === 'http-request' || blocks.includes(d) || (dropped.has(d) && (d.kw === 'reqadd' || legacyFilter(d.kw)?.side === 'request'))
  const blockAnchor = blocks.length > 0 ? directives.find(requestSide) : undefined
  for (const d of directives) {
    if (d === blockAnchor) for (const b of blocks) out.push(translated(b, modernForm(b).words!))
    if (!blocks.includes(d) && !dropped.has(d)) out.push(replace.get(d) ?? d)
    const after = placed.get(d)
    if (after !== undefined) out.push(...after)
  }
  return out
}
