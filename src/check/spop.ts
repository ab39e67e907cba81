/**
 * `option spop-check`: the SPOP handshake of a stream processing offload agent (SPOE), as
 * HAProxy's check does it: a HAPROXY-HELLO frame (supported-versions "2.0", max-frame-size 16380,
 * no capabilities, healthcheck true), then the agent's AGENT-HELLO must be one frame, not
 * fragmented, with a version HAProxy speaks (2.0) and a max-frame-size from 256 to 16380. Up:
 * "SPOA server is ok"; otherwise "Layer7 invalid response" with HAProxy's reason.
 */
import type { CheckOutcome } from './status.ts'
import type { CheckKind } from './types.ts'

const MAX_FRAME_SIZE = 16380
const MIN_FRAME_SIZE = 256
const HAPROXY_HELLO = 1
const AGENT_HELLO = 101
const AGENT_DISCONNECT = 102
const FIN = 0x00000001
const T_STR = 8
const T_BOOL_TRUE = 0x11
const T_UINT32 = 3
const T_INT32 = 2
const T_UINT64 = 5
const T_INT64 = 4

/** SPOP's variable-length integers: one byte under 240, else 4 bits then 7 per byte. */
export function encodeVarint(n: number): number[] {
  if (n < 240) return [n]
  const out = [(n | 240) & 255]
  n = (n - 240) >>> 4
  while (n >= 128) {
    out.push((n | 128) & 255)
    n = (n - 128) >>> 7
  }
  out.push(n)
  return out
}

/** Decodes the varint at `p`; undefined when `b` ends inside it. */
export function decodeVarint(b: Uint8Array, p: number): { value: number; next: number } | undefined {
  if (p >= b.length) return undefined
  let r = b[p]!
  if (r < 240) return { value: r, next: p + 1 }
  let shift = 4
  for (;;) {
    p++
    if (p >= b.length) return undefined
    r += b[p]! * 2 ** shift
    shift += 7
    if (b[p]! < 128) return { value: r, next: p + 1 }
  }
}

function str(s: string): number[] {
  const bytes = [...Buffer.from(s, 'latin1')]
  return [...encodeVarint(bytes.length), ...bytes]
}

/** The HAPROXY-HELLO frame of a health check, with its 4-byte length first (82 bytes). */
export function helloFrame(): Buffer {
  const body = [
    HAPROXY_HELLO, 0, 0, 0, FIN, 0, 0,
    ...str('supported-versions'), T_STR, ...str('2.0'),
    ...str('max-frame-size'), T_UINT32, ...encodeVarint(MAX_FRAME_SIZE),
    ...str('capabilities'), T_STR, ...str(''),
    ...str('healthcheck'), T_BOOL_TRUE,
  ]
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length)
  return Buffer.concat([len, Buffer.from(body)])
}

/** HAProxy's reasons (spoe_frm_err_reasons). */
const INVALID = 'invalid frame received'
const NO_VSN = 'version value not found'
const NO_FRAME_SIZE = 'max-frame-size value not found'
const NO_CAP = 'capabilities value not found'
const BAD_VSN = 'unsupported version'
const BAD_FRAME_SIZE = 'max-frame-size too big or too small'
const FRAG = 'fragmentation not supported'

/** Whether a version list (`2.0`, `1.0,2.0`) names one this check speaks (2.0). */
function versionOk(list: string): boolean {
  return list.split(',').some((v) => {
    const m = /^\s*(\d+)\.(\d+)\s*$/.exec(v)
    return m !== null && Number(m[1]) * 1000 + Number(m[2]) === 2000
  })
}

/** Reads an AGENT-HELLO frame (without its length): undefined when it is good, else the reason. */
export function agentHelloProblem(f: Uint8Array): string | undefined {
  if (f.length < 7 || (f[0] !== AGENT_HELLO && f[0] !== AGENT_DISCONNECT)) return INVALID
  if (f[0] === AGENT_DISCONNECT) return INVALID
  const flags = (f[1]! << 24) | (f[2]! << 16) | (f[3]! << 8) | f[4]!
  if ((flags & FIN) === 0) return FRAG
  if (f[5] !== 0 || f[6] !== 0) return INVALID
  let p = 7
  let version: string | undefined
  let frameSize: number | undefined
  let caps = false
  while (p < f.length) {
    const klen = decodeVarint(f, p)
    if (!klen || klen.next + klen.value > f.length) return INVALID
    const key = Buffer.from(f.subarray(klen.next, klen.next + klen.value)).toString('latin1')
    p = klen.next + klen.value
    const type = f[p]
    if (type === undefined) return INVALID
    p++
    const t = type & 0x0f
    let text: string | undefined
    let num: number | undefined
    if (t === T_STR || t === 9) {
      const l = decodeVarint(f, p)
      if (!l || l.next + l.value > f.length) return INVALID
      text = Buffer.from(f.subarray(l.next, l.next + l.value)).toString('latin1')
      p = l.next + l.value
    } else if (t === T_UINT32 || t === T_INT32 || t === T_UINT64 || t === T_INT64) {
      const v = decodeVarint(f, p)
      if (!v) return INVALID
      num = v.value
      p = v.next
    } else if (t !== 0 && t !== 1) return INVALID
    if (key === 'version') {
      if (text === undefined) return INVALID
      if (!versionOk(text)) return BAD_VSN
      version = text
    } else if (key === 'max-frame-size') {
      if (num === undefined) return INVALID
      if (num < MIN_FRAME_SIZE || num > MAX_FRAME_SIZE) return BAD_FRAME_SIZE
      frameSize = num
    } else if (key === 'capabilities') {
      if (text === undefined) return INVALID
      caps = true
    }
  }
  if (version === undefined) return NO_VSN
  if (frameSize === undefined) return NO_FRAME_SIZE
  if (!caps) return NO_CAP
  return undefined
}

const UP: CheckOutcome = { status: 'L7OK', info: 'SPOA server is ok' }

export const spopCheck: CheckKind = {
  name: 'spop',
  async run(t) {
    const c = await t.connect()
    c.send(helloFrame())
    await t.expect(c, (buf, last) => {
      if (buf.length < 4) return last ? { status: 'L7RSP', info: INVALID } : false
      const size = buf.readUInt32BE(0)
      if (!last && buf.length < 4 + size) return false
      const problem = agentHelloProblem(buf.subarray(4, 4 + size))
      return problem === undefined ? true : { status: 'L7RSP', info: problem }
    })
    return UP
  },
}
