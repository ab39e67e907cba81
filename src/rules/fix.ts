/**
 * The FIX protocol (Financial Information eXchange) as HAProxy's converters read it:
 * `fix_is_valid` (a whole, well-formed message: BeginString, BodyLength, MsgType first, the body
 * length and the checksum right) and `fix_tag_value(TAG)` (the value of the first field TAG, by
 * number or by name). Fields are `tag=value` followed by SOH (0x01).
 */
import { ConfigError } from '../model/source.ts'
import { evalState, type CompileCtx, type Converter } from './context.ts'
import { toBin } from './sample.ts'

const SOH = 0x01
const EQ = 0x3d
const MIN_SIZE = 26
const TAG = { BeginString: 8, BodyLength: 9, CheckSum: 10, MsgType: 35, SenderCompID: 49, TargetCompID: 56 } as const
/** The highest standard tag id of each version (FIXT.1.1 stands for every 5.0 version). */
const VERSIONS: Readonly<Record<string, number>> = { 'FIX.4.0': 140, 'FIX.4.1': 211, 'FIX.4.2': 446, 'FIX.4.3': 659, 'FIX.4.4': 956, 'FIXT.1.1': 1621 }

/** A tag id as written (digits only, not 0), checked against `version`'s range (user-defined
 *  tags 10000-19999 always pass). 0 when invalid. */
function checkId(b: Uint8Array, from: number, to: number, version: string | undefined): number {
  if (from === to) return 0
  let n = 0
  for (let i = from; i < to; i++) {
    const c = b[i]!
    if (c < 0x30 || c > 0x39) return 0
    n = n * 10 + c - 0x30
  }
  if (n === 0) return 0
  if (version === undefined || (n >= 10000 && n <= 19999)) return n
  return n <= VERSIONS[version]! ? n : 0
}

function text(b: Uint8Array, from: number, to: number): string {
  let s = ''
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]!)
  return s
}

/** 1: a valid message; 0: not complete yet; -1: invalid. */
export function fixValidate(b: Uint8Array): 1 | 0 | -1 {
  if (b.length < MIN_SIZE) return 0
  let version: string | undefined
  let tagnum = 0
  let bodylen = 0
  let body = -1
  let checksum = 0
  let p = 0
  while (p < b.length) {
    const eq = b.indexOf(EQ, p)
    const soh = b.indexOf(SOH, eq < 0 ? p : eq)
    if (eq < 0 || soh < 0) return 0
    if (eq === p || soh === eq + 1) return -1
    const id = checkId(b, p, eq, version)
    if (id === 0) return -1
    tagnum++
    if (tagnum === 1) {
      if (id !== TAG.BeginString) return -1
      const v = text(b, eq + 1, soh)
      if (VERSIONS[v] === undefined) return -1
      version = v
    } else if (tagnum === 2) {
      if (id !== TAG.BodyLength) return -1
      const v = text(b, eq + 1, soh)
      if (!/^\d+$/.test(v) || Number(v) === 0) return -1
      bodylen = Number(v)
      body = soh + 1
    } else if (tagnum === 3) {
      if (id !== TAG.MsgType) return -1
    } else if (id === TAG.CheckSum) {
      if (bodylen !== p - body) return -1
      const v = text(b, eq + 1, soh)
      if (v.length !== 3 || !/^\d{3}$/.test(v) || Number(v) !== checksum) return -1
      return 1
    }
    for (let i = p; i <= soh; i++) checksum = (checksum + b[i]!) & 255
    p = soh + 1
  }
  return 0
}

/** The value of the first field `tagid`: its bytes; 'more' when the message ends before it
 *  could be found; undefined when absent or the message is invalid. */
export function fixTagValue(b: Uint8Array, tagid: number): Uint8Array | 'more' | undefined {
  let p = 0
  while (p < b.length) {
    const eq = b.indexOf(EQ, p)
    const soh = b.indexOf(SOH, eq < 0 ? p : eq)
    if (eq < 0 || soh < 0) return 'more'
    if (eq === p || soh === eq + 1) return undefined
    const id = checkId(b, p, eq, undefined)
    if (id === 0) return undefined
    if (id === tagid) return b.subarray(eq + 1, soh)
    if (id === TAG.CheckSum) return undefined
    p = soh + 1
  }
  return 'more'
}

function tagArg(a: string | undefined, ctx: CompileCtx): number {
  const w = a ?? ''
  if (/^\d+$/.test(w) && Number(w) > 0) return Number(w)
  const named = Object.entries(TAG).find(([k]) => k.toLowerCase() === w.toLowerCase())
  if (!named) throw new ConfigError(`fix_tag_value: unknown FIX tag name '${w}'; give a tag number or one of ${Object.keys(TAG).join(', ')}`, ctx.at)
  return named[1]
}

export const FIX_CONVERTERS: readonly { name: string; out: 'bool' | 'bin'; args: [number, number]; compile(args: string[], ctx: CompileCtx): Converter }[] = [
  {
    name: 'fix_is_valid', out: 'bool', args: [0, 0],
    compile: () => (v) => {
      const b = toBin(v)
      if (b === undefined) return undefined
      // A definite answer stands however more bytes may come (HAProxy clears SMP_F_MAY_CHANGE).
      const r = fixValidate(b)
      evalState.mayChange = r === 0
      return r === 0 ? undefined : r === 1
    },
  },
  {
    name: 'fix_tag_value', out: 'bin', args: [1, 1],
    compile: (args, ctx) => {
      const tag = tagArg(args[0], ctx)
      return (v) => {
        const b = toBin(v)
        if (b === undefined) return undefined
        const r = fixTagValue(b, tag)
        evalState.mayChange = r === 'more'
        return r === 'more' ? undefined : r
      }
    },
  },
]
