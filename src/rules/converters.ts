/**
 * The converter table: transformations applied to a sample in series after its fetch
 * (`req.hdr(host),lower,map_str(hosts.map,default)`). Names and arguments are HAProxy's.
 * Each compiles its arguments at load into `(sample, stream) => sample | undefined`.
 */
import { crc32, crc32c, djb2, fullHash, sdbm, wt6, type HashFunction } from '../core/hash.ts'
import { Buffer } from 'node:buffer'
import { ConfigError } from '../model/source.ts'
import { type CompileCtx, type Converter } from './context.ts'
import { DIGEST_CONVERTERS } from './digests.ts'
import { ENCODING_CONVERTERS } from './encoding-converters.ts'
import { FIX_CONVERTERS } from './fix.ts'
import { MQTT_CONVERTERS } from './mqtt.ts'
import { COUNTER_OPS, tableArg } from './fetches.ts'
import { compileJson } from './json-string.ts'
import { compileJsonQuery } from './json-query.ts'
import { formatIpv4, formatIpv6, maskOf, maskV6, parseIpv4, parseIpv6, parseNet } from '../core/ip.ts'
import { asRegIndex, expandGroups, type MatchKind } from './pattern.ts'
import { toBin, toBool, toInt, toStr } from './sample.ts'
import type { Sample, SampleType } from './types.ts'
import { compileVarRef, isVarName, parseVarConds } from './vars.ts'
import { haproxyRegex } from './regex.ts'

export interface ConverterDef {
  name: string
  /** Output type; 'same' = the input's. */
  out: SampleType | 'same'
  args?: [number, number]
  compile(args: string[], ctx: CompileCtx): Converter
}

function intArg(a: string | undefined, ctx: CompileCtx, what: string, dflt?: number): number {
  if ((a === undefined || a === '') && dflt !== undefined) return dflt
  if (a === undefined || !/^-?\d+$/.test(a)) throw new ConfigError(`${what} must be an integer, not '${a ?? ''}'`, ctx.at)
  return Number(a)
}

/** An arithmetic operand: an integer, or a variable read at run time. */
function operand(a: string | undefined, ctx: CompileCtx, conv: string): (s: Parameters<Converter>[1]) => number | undefined {
  if (a !== undefined && /^-?\d+$/.test(a)) { const n = Number(a); return () => n }
  if (a !== undefined && isVarName(a)) { const r = compileVarRef(a, ctx.at); return (s) => toInt(r.get(s)) }
  throw new ConfigError(`'${conv}' expects an integer or a variable name (txn.x), not '${a ?? ''}'`, ctx.at)
}

function arith(name: string, op: (a: number, b: number) => number | undefined): ConverterDef {
  return {
    name, out: 'int', args: [1, 1],
    compile(args, ctx) {
      const b = operand(args[0], ctx, name)
      return (v, s) => { const a = toInt(v); const bv = b(s); return a === undefined || bv === undefined ? undefined : op(a, bv) }
    },
  }
}

const str = (name: string, fn: (s: string) => Sample | undefined, out: SampleType = 'str'): ConverterDef => ({
  name, out, compile: () => (v) => { const s = typeof v === 'string' ? v : toStr(v); return s === undefined ? undefined : fn(s) },
})

/** `field(index, delimiters[, count])`: each character of `delimiters` ends a field; gives `count`
 *  fields from `index` (negative: counted from the end, and `count` goes toward the start; 0: all
 *  the rest) as the text between them. No sample when the string has no field `index`. */
function fieldConv(args: string[], ctx: CompileCtx): Converter {
  const idx = intArg(args[0], ctx, 'the field index')
  const delims = args[1] ?? ''
  const count = intArg(args[2], ctx, 'the field count', 1)
  if (idx === 0) throw new ConfigError(`field and word indexes start at 1 (negative: from the end)`, ctx.at)
  if (delims === '') throw new ConfigError(`'field' needs delimiter characters`, ctx.at)
  return (v) => { const s = toStr(v); return s === undefined ? undefined : fieldOf(s, idx, delims, count) }
}

function fieldOf(s: string, idx: number, delims: string, count: number): string | undefined {
  let field = idx > 0 ? 1 : -1
  let left = count
  if (idx > 0) {
    let start = 0
    for (let end = 0; end < s.length; end++) {
      if (!delims.includes(s[end]!)) continue
      if (field !== idx) { start = end + 1; field++ }
      else if (left === 1) return s.slice(start, end)
      else if (left > 1) left--
    }
    return field === idx ? s.slice(start) : undefined
  }
  let end = s.length
  for (let start = s.length; start > 0; start--) {
    if (!delims.includes(s[start - 1]!)) continue
    if (field !== idx) { end = start - 1; field-- }
    else if (left === 1) return s.slice(start, end)
    else if (left > 1) left--
  }
  return field === idx ? s.slice(0, end) : undefined
}

/** `word(index, delimiters[, count])`: as `field`, but runs of delimiters count as one. */
function wordConv(args: string[], ctx: CompileCtx): Converter {
  const idx = intArg(args[0], ctx, 'the field index')
  const delims = args[1] ?? ''
  const count = intArg(args[2], ctx, 'the field count', 1)
  if (idx === 0) throw new ConfigError(`field and word indexes start at 1 (negative: from the end)`, ctx.at)
  if (delims === '') throw new ConfigError(`'word' needs delimiter characters`, ctx.at)
  return (v) => {
    const s = toStr(v)
    if (s === undefined) return undefined
    // Words are the non-empty runs between delimiters; the answer is the original text from the
    // first selected word to the end of the last, delimiters between them kept as they are.
    const starts: number[] = []
    const ends: number[] = []
    let cur = 0
    for (let i = 0; i <= s.length; i++) {
      if (i === s.length || delims.includes(s[i]!)) { if (i > cur) { starts.push(cur); ends.push(i) } cur = i + 1 }
    }
    // A positive index counts `count` words forward from it (0: to the end); a negative one
    // counts them backward, ending at it (0: from the start).
    const n = starts.length
    let first: number
    let last: number
    if (idx > 0) {
      first = idx - 1
      last = count === 0 ? n - 1 : Math.min(first + count, n) - 1
    } else {
      last = n + idx
      first = count === 0 ? 0 : Math.max(0, last - count + 1)
    }
    if (first < 0 || first >= n || last < first) return undefined
    return s.slice(starts[first]!, ends[last]!)
  }
}

/** `regsub(regex, subst[, flags])`: `\1`… in `subst` are the groups. */
function regsubConv(args: string[], ctx: CompileCtx): Converter {
  const flags = args[2] ?? ''
  if (!/^[gi]*$/.test(flags)) throw new ConfigError(`regsub flags are 'g' and 'i', not '${flags}'`, ctx.at)
  let re: RegExp
  try {
    re = haproxyRegex(args[0] ?? '', flags)
  } catch (e) {
    throw new ConfigError(`invalid regular expression '${args[0]}': ${(e as Error).message}`, ctx.at)
  }
  const subst = (args[1] ?? '').replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1')
  return (v) => { const s = toStr(v); return s === undefined ? undefined : s.replace(re, subst) }
}

function ipmaskConv(args: string[], ctx: CompileCtx): Converter {
  const m4 = args[0] ?? '32'
  const len4 = /^\d+$/.test(m4) ? Number(m4) : (() => { const n = parseNet(`0.0.0.0/${m4}`); if (!n) throw new ConfigError(`ipmask: invalid mask '${m4}'`, ctx.at); return n.len })()
  // The IPv6 mask: a prefix length, or an address whose bits are kept (any pattern of bits).
  const m6 = args[1] ?? '128'
  const words6 = /^\d+$/.test(m6) ? undefined : parseIpv6(m6)
  if (!/^\d+$/.test(m6) && words6 === undefined) throw new ConfigError(`ipmask: the IPv6 mask must be a prefix length or an IPv6 address, not '${m6}'`, ctx.at)
  const len6 = words6 === undefined ? Number(m6) : 128
  if (len4 > 32 || len6 > 128) throw new ConfigError(`ipmask: masks are at most 32 (IPv4) and 128 (IPv6)`, ctx.at)
  const mask = maskOf(len4)
  const mask6 = words6 ?? maskV6(Uint32Array.of(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff), len6)
  return (v) => {
    const s = toStr(v)
    if (s === undefined) return undefined
    const a = parseIpv4(s)
    if (a >= 0) return formatIpv4((a & mask) >>> 0)
    const w = parseIpv6(s)
    if (w === undefined) return undefined
    // An IPv4-mapped address (::ffff:a.b.c.d) is its IPv4 address, masked as one.
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return formatIpv4((w[3]! & mask) >>> 0)
    const out = new Uint32Array(4)
    for (let i = 0; i < 4; i++) out[i] = (w[i]! & mask6[i]!) >>> 0
    return formatIpv6(out)
  }
}

/** HAProxy's URL decoding, byte for byte: `%XX` is the byte XX (a `%` without two hex digits fails
 *  the sample), and `+` is a space in a query string: after the first `?`, or everywhere when
 *  `inForm` (the string is a form or query string itself). */
function urlDecode(s: string, inForm: boolean): string | undefined {
  if (s.indexOf('%') < 0 && (s.indexOf('+') < 0 || (!inForm && s.indexOf('?') < 0))) return s
  let out = ''
  let form = inForm
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '%') {
      const h = s.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) return undefined
      out += String.fromCharCode(parseInt(h, 16))
      i += 2
    } else if (c === '+') {
      out += form ? ' ' : '+'
    } else {
      if (c === '?') form = true
      out += c
    }
  }
  return out
}

function concatConv(args: string[], ctx: CompileCtx): Converter {
  const pre = args[0] ?? ''
  const ref = args[1] ? compileVarRef(args[1], ctx.at) : undefined
  const post = args[2] ?? ''
  return (v, s) => {
    const a = toStr(v)
    if (a === undefined) return undefined
    const mid = ref ? toStr(ref.get(s)) ?? '' : ''
    return pre === '' && post === '' ? a + mid : a + pre + mid + post
  }
}

/** A 32-bit hash converter (core/hash.ts), over the sample's bytes (a string as latin1), with
 *  HAProxy's optional avalanche. */
function hashConv(name: string, fn: HashFunction): ConverterDef {
  return {
    name, out: 'int', args: [0, 1],
    compile: (args) => {
      const aval = args[0] === '1'
      return (v) => {
        let b: Uint8Array
        if (v instanceof Uint8Array) b = v
        else { const s = toStr(v); if (s === undefined) return undefined; b = Buffer.from(s, 'latin1') }
        const h = fn(b, b.length)
        return aval ? fullHash(h) : h
      }
    },
  }
}

function hexOf(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16)
  return s.toUpperCase()
}

// --- maps ----------------------------------------------------------------------------------------

const MAP_MATCH: Readonly<Record<string, MatchKind>> = { str: 'str', beg: 'beg', sub: 'sub', dir: 'dir', dom: 'dom', end: 'end', reg: 'reg', regm: 'reg', int: 'int', ip: 'ip' }
const MAP_OUT: Readonly<Record<string, SampleType>> = { str: 'str', int: 'int', ip: 'ip' }

function mapConverters(): ConverterDef[] {
  const out: ConverterDef[] = []
  for (const [m, kind] of Object.entries(MAP_MATCH)) {
    for (const [o, type] of Object.entries(MAP_OUT)) {
      const name = o === 'str' ? `map_${m}` : `map_${m}_${o}`
      if (m === 'regm' && o !== 'str') continue
      out.push({ name, out: type, args: [1, 2], compile: (args, ctx) => compileMap(name, kind, m === 'regm', type, args, ctx) })
    }
  }
  out.push({ name: 'map', out: 'str', args: [1, 2], compile: (args, ctx) => compileMap('map', 'str', false, 'str', args, ctx) })
  return out
}

function compileMap(name: string, kind: MatchKind, regm: boolean, type: SampleType, args: string[], ctx: CompileCtx): Converter {
  const file = args[0] ?? ''
  if (file === '') throw new ConfigError(`'${name}' needs a map file: ${name}(FILE[,DEFAULT])`, ctx.at)
  const index = ctx.maps.index(file, ctx.fileDir, kind, { at: ctx.at })
  const cast = (s: string): Sample | undefined => (type === 'int' ? toInt(s) : type === 'ip' ? (parseIpv4(s) >= 0 || parseIpv6(s) ? s : undefined) : s)
  let dflt: Sample | undefined
  if (args[1] !== undefined) {
    dflt = cast(args[1])
    if (dflt === undefined) throw new ConfigError(`'${name}': default '${args[1]}' is not ${type === 'int' ? 'an integer' : 'an IP address'}`, ctx.at)
  }
  if (regm) {
    const reg = asRegIndex(index)!
    return (v) => {
      const s = toStr(v)
      const hit = s === undefined ? undefined : reg.firstMatch(s)
      if (!hit) return dflt
      const m = hit[0].exec(s!)
      return m === null ? dflt : expandGroups(hit[1], m)
    }
  }
  if (type === 'str') return (v) => index.lookup(v) ?? dflt
  return (v) => { const hit = index.lookup(v); return hit === undefined ? dflt : cast(hit) ?? dflt }
}

// --- stick tables --------------------------------------------------------------------------------

function tableConverters(): ConverterDef[] {
  const out: ConverterDef[] = []
  for (const [suffix, op] of Object.entries(COUNTER_OPS)) {
    const name = `table_${suffix.replace(/^get_/, '')}`
    if (suffix.startsWith('clr_') || suffix.startsWith('inc_')) continue
    out.push({
      name, out: 'int', args: [1, 1],
      compile: (args, ctx) => {
        const t = tableArg(args[0], ctx)
        return (v) => {
          const key = t.keyOf(v)
          if (key === undefined) return undefined
          const e = t.lookup(key)
          return e === undefined ? 0 : op(e, t)
        }
      },
    })
  }
  out.push({
    name: 'in_table', out: 'bool', args: [1, 1],
    compile: (args, ctx) => { const t = tableArg(args[0], ctx); return (v) => { const k = t.keyOf(v); return k !== undefined && t.lookup(k) !== undefined } },
  })
  return out
}

// --- the table -------------------------------------------------------------------------------------

export const CONVERTERS: readonly ConverterDef[] = [
  str('lower', (s) => s.toLowerCase()),
  str('upper', (s) => s.toUpperCase()),
  str('length', (s) => s.length, 'int'),
  { name: 'base64', out: 'str', compile: () => (v) => { const b = toBin(v); return b === undefined ? undefined : Buffer.from(b).toString('base64') } },
  { name: 'ub64enc', out: 'str', compile: () => (v) => { const b = toBin(v); return b === undefined ? undefined : Buffer.from(b).toString('base64url') } },
  { name: 'b64dec', out: 'bin', compile: () => (v) => { const s = toStr(v); if (s === undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined; return new Uint8Array(Buffer.from(s, 'base64')) } },
  { name: 'ub64dec', out: 'bin', compile: () => (v) => { const s = toStr(v); if (s === undefined || !/^[A-Za-z0-9_-]*$/.test(s)) return undefined; return new Uint8Array(Buffer.from(s, 'base64url')) } },
  { name: 'hex', out: 'str', compile: () => (v) => { const b = toBin(v); return b === undefined ? undefined : hexOf(b) } },
  str('hex2i', (s) => (/^[0-9a-fA-F]+$/.test(s) ? parseInt(s, 16) : undefined), 'int'),
  { name: 'ipmask', out: 'ip', args: [1, 2], compile: ipmaskConv },
  { name: 'field', out: 'str', args: [2, 3], compile: fieldConv },
  { name: 'word', out: 'str', args: [2, 3], compile: wordConv },
  { name: 'regsub', out: 'str', args: [2, 3], compile: regsubConv },
  { name: 'json', out: 'str', args: [0, 1], compile: compileJson },
  { name: 'json_query', out: 'any', args: [1, 2], compile: compileJsonQuery },
  {
    name: 'url_dec', out: 'str', args: [0, 1],
    compile: (a, ctx) => { const form = intArg(a[0], ctx, "url_dec's in_form", 0) !== 0; return (v) => { const s = toStr(v); return s === undefined ? undefined : urlDecode(s, form) } },
  },
  { name: 'ltrim', out: 'str', args: [1, 1], compile: (a) => { const set = a[0]!; return (v) => { const s = toStr(v); if (s === undefined) return undefined; let i = 0; while (i < s.length && set.includes(s[i]!)) i++; return s.slice(i) } } },
  { name: 'rtrim', out: 'str', args: [1, 1], compile: (a) => { const set = a[0]!; return (v) => { const s = toStr(v); if (s === undefined) return undefined; let i = s.length; while (i > 0 && set.includes(s[i - 1]!)) i--; return s.slice(0, i) } } },
  str('cut_crlf', (s) => { const i = s.search(/[\r\n]/); return i < 0 ? s : s.slice(0, i) }),
  str('host_only', (s) => s.replace(/:\d+$/, '')),
  str('port_only', (s) => { const m = /:(\d+)$/.exec(s); return m ? Number(m[1]) : 0 }, 'int'),
  {
    name: 'bytes', out: 'same', args: [1, 2],
    compile: (a, ctx) => {
      const off = intArg(a[0], ctx, 'the offset')
      const len = a[1] !== undefined ? intArg(a[1], ctx, 'the length') : undefined
      return (v) => {
        if (v instanceof Uint8Array) return off > v.length ? undefined : v.subarray(off, len === undefined ? undefined : off + len)
        const s = toStr(v)
        return s === undefined || off > s.length ? undefined : s.slice(off, len === undefined ? undefined : off + len)
      }
    },
  },
  { name: 'concat', out: 'str', args: [0, 3], compile: concatConv },
  {
    name: 'strcmp', out: 'int', args: [1, 1],
    compile: (a, ctx) => { const r = compileVarRef(a[0]!, ctx.at); return (v, s) => { const x = toStr(v); const y = toStr(r.get(s)); if (x === undefined || y === undefined) return undefined; return x < y ? -1 : x > y ? 1 : 0 } },
  },
  {
    name: 'iif', out: 'str', args: [2, 2],
    compile: (a) => { const t = a[0]!; const f = a[1]!; return (v) => { const b = toBool(v); return b === undefined ? undefined : b ? t : f } },
  },
  arith('add', (a, b) => a + b),
  arith('sub', (a, b) => a - b),
  arith('mul', (a, b) => a * b),
  arith('div', (a, b) => (b === 0 ? Number.MAX_SAFE_INTEGER : Math.trunc(a / b))),
  arith('mod', (a, b) => (b === 0 ? 0 : a % b)),
  arith('and', (a, b) => Number(BigInt.asIntN(64, BigInt(a) & BigInt(b)))),
  arith('or', (a, b) => Number(BigInt.asIntN(64, BigInt(a) | BigInt(b)))),
  arith('xor', (a, b) => Number(BigInt.asIntN(64, BigInt(a) ^ BigInt(b)))),
  { name: 'neg', out: 'int', compile: () => (v) => { const n = toInt(v); return n === undefined ? undefined : -n } },
  { name: 'cpl', out: 'int', compile: () => (v) => { const n = toInt(v); return n === undefined ? undefined : -n - 1 } },
  { name: 'bool', out: 'bool', compile: () => (v) => toBool(v) },
  { name: 'not', out: 'bool', compile: () => (v) => { const b = toBool(v); return b === undefined ? undefined : !b } },
  { name: 'odd', out: 'bool', compile: () => (v) => { const n = toInt(v); return n === undefined ? undefined : (n & 1) === 1 } },
  { name: 'even', out: 'bool', compile: () => (v) => { const n = toInt(v); return n === undefined ? undefined : (n & 1) === 0 } },
  hashConv('djb2', djb2),
  hashConv('sdbm', sdbm),
  hashConv('wt6', wt6),
  hashConv('crc32', crc32),
  hashConv('crc32c', crc32c),
  ...DIGEST_CONVERTERS,
  ...ENCODING_CONVERTERS,
  ...FIX_CONVERTERS,
  ...MQTT_CONVERTERS,
  {
    name: 'http_date', out: 'str', args: [0, 1],
    compile: (a, ctx) => { const off = intArg(a[0], ctx, 'the offset', 0); return (v) => { const n = toInt(v); return n === undefined ? undefined : new Date((n + off) * 1000).toUTCString() } },
  },
  {
    name: 'set-var', out: 'same', args: [1, 9],
    compile: (a, ctx) => { const r = compileVarRef(a[0]!, ctx.at); const c = parseVarConds(a.slice(1), ctx.at); return (v, s) => { r.set(s, v, c); return v } },
  },
  {
    name: 'unset-var', out: 'same', args: [1, 1],
    compile: (a, ctx) => { const r = compileVarRef(a[0]!, ctx.at); return (v, s) => { r.unset(s); return v } },
  },
  ...mapConverters(),
  ...tableConverters(),
]

const BY_NAME = new Map<string, ConverterDef>(CONVERTERS.map((c) => [c.name, c]))

export function findConverter(name: string): ConverterDef | undefined {
  return BY_NAME.get(name)
}

export function converterNames(): string[] {
  return [...BY_NAME.keys()]
}

export function compileConverter(def: ConverterDef, args: string[], ctx: CompileCtx): Converter {
  const [min, max] = def.args ?? [0, 0]
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`
    throw new ConfigError(`converter '${def.name}' takes ${want} argument${max === 1 ? '' : 's'}, not ${args.length}`, ctx.at)
  }
  return def.compile(args, ctx)
}
