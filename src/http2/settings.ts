/**
 * SETTINGS (RFC 9113 §6.5.2, RFC 8441 §3): the values one endpoint announces, their defaults,
 * encoding ours and checking the peer's.
 */
import { FLOW_CONTROL_ERROR, MAX_WINDOW, PROTOCOL_ERROR } from './frames.ts'

export const SETTINGS_HEADER_TABLE_SIZE = 0x1
export const SETTINGS_ENABLE_PUSH = 0x2
export const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3
export const SETTINGS_INITIAL_WINDOW_SIZE = 0x4
export const SETTINGS_MAX_FRAME_SIZE = 0x5
export const SETTINGS_MAX_HEADER_LIST_SIZE = 0x6
export const SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8

/** One side's settings. Unlimited values are `Infinity`. */
export interface H2Settings {
  headerTableSize: number
  enablePush: boolean
  maxConcurrentStreams: number
  initialWindowSize: number
  maxFrameSize: number
  maxHeaderListSize: number
  enableConnectProtocol: boolean
}

/** What a peer is assumed to use until its SETTINGS say otherwise. */
export function defaultSettings(): H2Settings {
  return {
    headerTableSize: 4096,
    enablePush: true,
    maxConcurrentStreams: Infinity,
    initialWindowSize: 65535,
    maxFrameSize: 16384,
    maxHeaderListSize: Infinity,
    enableConnectProtocol: false,
  }
}

/** The payload of a SETTINGS frame announcing `s` (the values that differ from the defaults, and
 *  those a peer must be told: push off, concurrent streams). */
export function encodeSettings(s: H2Settings, push: boolean): Buffer {
  const d = defaultSettings()
  const pairs: [number, number][] = []
  if (s.headerTableSize !== d.headerTableSize) pairs.push([SETTINGS_HEADER_TABLE_SIZE, s.headerTableSize])
  if (!push) pairs.push([SETTINGS_ENABLE_PUSH, 0])
  if (s.maxConcurrentStreams !== Infinity) pairs.push([SETTINGS_MAX_CONCURRENT_STREAMS, s.maxConcurrentStreams])
  if (s.initialWindowSize !== d.initialWindowSize) pairs.push([SETTINGS_INITIAL_WINDOW_SIZE, s.initialWindowSize])
  if (s.maxFrameSize !== d.maxFrameSize) pairs.push([SETTINGS_MAX_FRAME_SIZE, s.maxFrameSize])
  if (s.maxHeaderListSize !== Infinity) pairs.push([SETTINGS_MAX_HEADER_LIST_SIZE, s.maxHeaderListSize])
  if (s.enableConnectProtocol) pairs.push([SETTINGS_ENABLE_CONNECT_PROTOCOL, 1])
  const b = Buffer.allocUnsafe(pairs.length * 6)
  pairs.forEach(([id, v], i) => {
    b.writeUInt16BE(id, i * 6)
    b.writeUInt32BE(v, i * 6 + 2)
  })
  return b
}

/** Applies a SETTINGS payload (length already checked a multiple of 6) to `s`. Returns 0, or the
 *  connection error a bad value is. Unknown settings are ignored (§6.5.2). */
export function applySettings(s: H2Settings, p: Uint8Array): number {
  for (let i = 0; i + 6 <= p.length; i += 6) {
    const id = (p[i]! << 8) | p[i + 1]!
    const v = (p[i + 2]! * 0x1000000) + (p[i + 3]! << 16) + (p[i + 4]! << 8) + p[i + 5]!
    switch (id) {
      case SETTINGS_HEADER_TABLE_SIZE: s.headerTableSize = v; break
      case SETTINGS_ENABLE_PUSH:
        if (v > 1) return PROTOCOL_ERROR
        s.enablePush = v === 1
        break
      case SETTINGS_MAX_CONCURRENT_STREAMS: s.maxConcurrentStreams = v; break
      case SETTINGS_INITIAL_WINDOW_SIZE:
        if (v > MAX_WINDOW) return FLOW_CONTROL_ERROR
        s.initialWindowSize = v
        break
      case SETTINGS_MAX_FRAME_SIZE:
        if (v < 16384 || v > 0xffffff) return PROTOCOL_ERROR
        s.maxFrameSize = v
        break
      case SETTINGS_MAX_HEADER_LIST_SIZE: s.maxHeaderListSize = v; break
      case SETTINGS_ENABLE_CONNECT_PROTOCOL:
        if (v > 1) return PROTOCOL_ERROR
        s.enableConnectProtocol = v === 1
        break
    }
  }
  return 0
}
