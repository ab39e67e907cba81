/**
 * MQTT (3.1, 3.1.1 and 5.0) as HAProxy's converters read it: `mqtt_is_valid` (the first packet is
 * a complete, well-formed CONNECT or CONNACK) and `mqtt_field_value(TYPE, FIELD)` (a field of that
 * packet, as a string: a name such as `client_identifier`, or an MQTT 5.0 property by its number).
 * Only CONNECT and CONNACK are read, as in HAProxy: they are the first packet of each side, the one
 * `tcp-request content` and `tcp-response content` rules see. A packet not complete yet leaves the
 * answer open (the rule waits, within its inspect-delay).
 */
import { ConfigError } from '../model/source.ts'
import { evalState, type CompileCtx, type Converter } from './context.ts'
import { toBin } from './sample.ts'

const CONNECT = 1
const CONNACK = 2
/** Packet types by name, 1 to 15 (HAProxy's mqtt_typeid). */
const TYPES = ['CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH']
/** The flags each packet type's fixed header must carry. */
const TYPE_FLAGS = [0, 0, 0, 0x0f, 0, 0, 0x02, 0, 0x02, 0, 0x02, 0, 0, 0, 0, 0]

const V3_1 = 3
const V3_1_1 = 4
const V5 = 5

const FL_RESERVED = 0x01
const FL_WILL = 0x04
const FL_WILL_QOS = 0x18
const FL_WILL_RETAIN = 0x20
const FL_PASSWORD = 0x40
const FL_USERNAME = 0x80

/** The fields by name (MQTT 5.0 properties by their number), and the packet types having them. */
const FIELDS: Readonly<Record<string, readonly number[]>> = {
  flags: [CONNECT, CONNACK], reason_code: [CONNACK, 4, 5, 6, 7, 14], protocol_name: [CONNECT],
  protocol_version: [CONNECT, CONNACK], client_identifier: [CONNECT], will_topic: [CONNECT],
  will_payload: [CONNECT], username: [CONNECT], password: [CONNECT], keepalive: [CONNECT],
  1: [CONNECT, 3], 2: [CONNECT, 3], 3: [CONNECT, 3], 8: [CONNECT, 3], 9: [CONNECT, 3], 11: [3, 8],
  17: [CONNECT, CONNACK, 14], 18: [CONNACK], 19: [CONNACK], 21: [CONNECT, CONNACK, 15],
  22: [CONNECT, CONNACK, 15], 23: [CONNECT], 24: [CONNECT], 25: [CONNECT], 26: [CONNACK],
  28: [CONNACK, 14], 31: [CONNACK, 4, 5, 6, 7, 9, 11, 14, 15], 33: [CONNECT, CONNACK],
  34: [CONNECT, CONNACK], 35: [3], 36: [CONNACK], 37: [CONNACK],
  38: [CONNECT, CONNACK, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15], 39: [CONNECT, CONNACK],
  40: [CONNACK], 41: [CONNACK], 42: [CONNACK],
}

/** A parsed CONNECT or CONNACK: numbers and byte strings by field name (the names of FIELDS). */
export interface MqttPacket {
  type: number
  fields: Map<string, number | Uint8Array>
}

class Invalid extends Error {}
class NeedMore extends Error {}

/** A reader over `b` from `p` to `end`; running past the end is Invalid. */
class Reader {
  constructor(readonly b: Uint8Array, public p: number, readonly end: number) {}
  get left(): number { return this.end - this.p }
  u8(): number { if (this.left < 1) throw new Invalid(); return this.b[this.p++]! }
  u16(): number { if (this.left < 2) throw new Invalid(); const v = (this.b[this.p]! << 8) | this.b[this.p + 1]!; this.p += 2; return v }
  u32(): number { if (this.left < 4) throw new Invalid(); const v = ((this.b[this.p]! << 24) >>> 0) + (this.b[this.p + 1]! << 16) + (this.b[this.p + 2]! << 8) + this.b[this.p + 3]!; this.p += 4; return v }
  /** A length-prefixed string. */
  str(): Uint8Array { const n = this.u16(); if (this.left < n) throw new Invalid(); const s = this.b.subarray(this.p, this.p + n); this.p += n; return s }
  /** A variable byte integer: at most 4 bytes; one that ends early reads as what it has. */
  varint(): number {
    let v = 0
    let m = 1
    let off = 0
    for (; off < 4 && this.left > 0; off++) {
      const byte = this.b[this.p++]!
      v += (byte & 127) * m
      m *= 128
      if (byte <= 127) break
    }
    if (off === 4) throw new Invalid()
    return v
  }
}

/** A property: its field name, how it is read, and the values it may take. */
type Prop = { kind: 'u8' | 'u16' | 'u32' | 'str'; max?: number; nonZero?: boolean; nonEmpty?: boolean }
const CONNECT_PROPS: Readonly<Record<number, Prop>> = {
  0x11: { kind: 'u32' }, 0x21: { kind: 'u16', nonZero: true }, 0x27: { kind: 'u32', nonZero: true },
  0x22: { kind: 'u16' }, 0x19: { kind: 'u8', max: 1 }, 0x17: { kind: 'u8', max: 1 },
  0x15: { kind: 'str' }, 0x16: { kind: 'str' },
}
const WILL_PROPS: Readonly<Record<number, Prop>> = {
  0x18: { kind: 'u32' }, 0x01: { kind: 'u8', max: 1 }, 0x02: { kind: 'u32' }, 0x03: { kind: 'str' },
  0x08: { kind: 'str' }, 0x09: { kind: 'str' },
}
const CONNACK_PROPS: Readonly<Record<number, Prop>> = {
  0x11: { kind: 'u32' }, 0x21: { kind: 'u16', nonZero: true }, 0x24: { kind: 'u8', max: 1 },
  0x25: { kind: 'u8', max: 1 }, 0x27: { kind: 'u32', nonZero: true }, 0x12: { kind: 'str', nonEmpty: true },
  0x22: { kind: 'u16' }, 0x1f: { kind: 'str' }, 0x28: { kind: 'u8', max: 1 }, 0x29: { kind: 'u8', max: 1 },
  0x2a: { kind: 'u8', max: 1 }, 0x13: { kind: 'u16' }, 0x1a: { kind: 'str' }, 0x1c: { kind: 'str' },
  0x15: { kind: 'str' }, 0x16: { kind: 'str' },
}
const USER_PROPERTY = 0x26

/** Reads a property list into `into` (by property number). Each property at most once, except
 *  user properties (read and skipped). `unknown` is what an unknown property means: HAProxy
 *  treats one in a CONNECT as invalid and, in a CONNACK, as a packet not complete yet. */
function readProps(r: Reader, table: Readonly<Record<number, Prop>>, into: Map<string, number | Uint8Array>, unknown: 'invalid' | 'more'): void {
  const len = r.varint()
  if (r.left < len) throw new Invalid()
  const props = new Reader(r.b, r.p, r.p + len)
  r.p += len
  while (props.left > 0) {
    const id = props.u8()
    if (id === USER_PROPERTY) { props.str(); props.str(); continue }
    const p = table[id]
    if (p === undefined) throw unknown === 'invalid' ? new Invalid() : new NeedMore()
    const key = String(id)
    if (into.has(key)) throw new Invalid()
    const v = p.kind === 'u8' ? props.u8() : p.kind === 'u16' ? props.u16() : p.kind === 'u32' ? props.u32() : props.str()
    if (typeof v === 'number' && ((p.max !== undefined && v > p.max) || (p.nonZero === true && v === 0))) throw new Invalid()
    if (typeof v !== 'number' && p.nonEmpty === true && v.length === 0) throw new Invalid()
    into.set(key, v)
  }
}

function latin1Eq(s: Uint8Array, t: string): boolean {
  if (s.length !== t.length) return false
  for (let i = 0; i < s.length; i++) if ((s[i]! | 0x20) !== (t.charCodeAt(i) | 0x20)) return false
  return true
}

function parseConnect(r: Reader, f: Map<string, number | Uint8Array>): void {
  const name = r.str()
  if (!latin1Eq(name, 'MQTT') && !latin1Eq(name, 'MQIsdp')) throw new Invalid()
  f.set('protocol_name', name)
  const version = r.u8()
  if (version !== V3_1 && version !== V3_1_1 && version !== V5) throw new Invalid()
  f.set('protocol_version', version)
  const flags = r.u8()
  if ((flags & FL_RESERVED) !== 0) throw new Invalid()
  if ((flags & (FL_WILL | FL_WILL_QOS | FL_WILL_RETAIN)) === FL_WILL_QOS) throw new Invalid()
  f.set('flags', flags)
  f.set('keepalive', r.u16())
  if (version === V5) readProps(r, CONNECT_PROPS, f, 'invalid')
  // Authentication data needs an authentication method.
  if (((f.get('21') as Uint8Array | undefined)?.length ?? 0) === 0 && ((f.get('22') as Uint8Array | undefined)?.length ?? 0) > 0) throw new Invalid()
  f.set('client_identifier', r.str())
  if ((flags & FL_WILL) !== 0) {
    if (version === V5) readProps(r, WILL_PROPS, f, 'invalid')
    f.set('will_topic', r.str())
    f.set('will_payload', r.str())
  }
  if ((flags & FL_USERNAME) !== 0) f.set('username', r.str())
  if ((flags & FL_PASSWORD) !== 0) f.set('password', r.str())
}

function parseConnack(r: Reader, f: Map<string, number | Uint8Array>): void {
  if (r.left < 2) throw new Invalid()
  // Two bytes are an MQTT 3.1.1 CONNACK; more, an MQTT 5.0 one with properties.
  const version = r.left === 2 ? V3_1_1 : V5
  f.set('protocol_version', version)
  const flags = r.u8()
  if ((flags & 0xfe) !== 0) throw new Invalid()
  f.set('flags', flags)
  f.set('reason_code', r.u8())
  if (version === V5) readProps(r, CONNACK_PROPS, f, 'more')
}

/** Reads the first packet of `b`: the packet, 'more' when it is not complete, 'invalid'. */
export function mqttParse(b: Uint8Array): MqttPacket | 'more' | 'invalid' {
  if (b.length < 2) return 'more'
  const type = b[0]! >> 4
  if (type === 0 || (b[0]! & 0x0f) !== TYPE_FLAGS[type]) return 'invalid'
  const head = new Reader(b, 1, b.length)
  let remaining: number
  try { remaining = head.varint() } catch { return 'invalid' }
  if (head.left < remaining) return 'more'
  if (type !== CONNECT && type !== CONNACK) return 'invalid'
  const fields = new Map<string, number | Uint8Array>()
  // As HAProxy, a field may run past the announced length into what follows; the length read
  // must then equal the announced one.
  const r = new Reader(b, head.p, b.length)
  try {
    if (type === CONNECT) parseConnect(r, fields)
    else parseConnack(r, fields)
  } catch (e) {
    if (e instanceof NeedMore) return 'more'
    if (e instanceof Invalid) return 'invalid'
    throw e
  }
  return r.p - head.p === remaining ? { type, fields } : 'invalid'
}

/** A field as HAProxy gives it: numbers in decimal, strings as they are. Absent: an empty
 *  string, a string field the packet does not carry, an MQTT 5.0 property of another version's
 *  packet (or a will property without a will); a numeric property not carried reads as 0. */
function fieldValue(pkt: MqttPacket, field: string): string | undefined {
  const v = pkt.fields.get(field)
  const version = pkt.fields.get('protocol_version') as number
  const props = /^\d+$/.test(field)
  if (props && version !== V5) return undefined
  if (pkt.type === CONNECT && ['1', '2', '3', '8', '9', '24'].includes(field) && ((pkt.fields.get('flags') as number) & FL_WILL) === 0) return undefined
  if (v === undefined) {
    // A numeric property the packet does not carry reads as 0, as in HAProxy.
    const numeric = (pkt.type === CONNECT ? { ...CONNECT_PROPS, ...WILL_PROPS } : CONNACK_PROPS)[Number(field)]
    return props && numeric !== undefined && numeric.kind !== 'str' ? '0' : undefined
  }
  if (typeof v === 'number') return String(v)
  if (v.length === 0) return undefined
  let s = ''
  for (const c of v) s += String.fromCharCode(c)
  return s
}

/** The value of `field` in the first packet of `b` when it is of `type`: a string; 'more'; or
 *  undefined (absent, another type, invalid). */
export function mqttFieldValue(b: Uint8Array, type: number, field: string): string | 'more' | undefined {
  const pkt = mqttParse(b)
  if (pkt === 'more') return 'more'
  if (pkt === 'invalid' || pkt.type !== type) return undefined
  return fieldValue(pkt, field)
}

function typeArg(a: string, ctx: CompileCtx): number {
  const n = /^\d+$/.test(a) ? Number(a) : TYPES.findIndex((t) => t === a.toUpperCase()) + 1
  if (!(n >= 1 && n <= 15)) throw new ConfigError(`mqtt_field_value: unknown MQTT packet type '${a}'`, ctx.at)
  return n
}

function fieldArg(type: number, a: string, ctx: CompileCtx): string {
  const f = a.toLowerCase()
  if (!FIELDS[f]?.includes(type)) throw new ConfigError(`mqtt_field_value: unknown MQTT field name '${a}' for packet type '${TYPES[type - 1]}'`, ctx.at)
  return f
}

export const MQTT_CONVERTERS: readonly { name: string; out: 'bool' | 'str'; args: [number, number]; compile(args: string[], ctx: CompileCtx): Converter }[] = [
  {
    name: 'mqtt_is_valid', out: 'bool', args: [0, 0],
    compile: () => (v) => {
      const b = toBin(v)
      if (b === undefined) return undefined
      const r = mqttParse(b)
      evalState.mayChange = r === 'more'
      return r === 'more' ? undefined : r !== 'invalid'
    },
  },
  {
    name: 'mqtt_field_value', out: 'str', args: [2, 2],
    compile: (args, ctx) => {
      const type = typeArg(args[0]!, ctx)
      const field = fieldArg(type, args[1]!, ctx)
      return (v) => {
        const b = toBin(v)
        if (b === undefined) return undefined
        const r = mqttFieldValue(b, type, field)
        evalState.mayChange = r === 'more'
        return r === 'more' ? undefined : r
      }
    },
  },
]
