/**
 * The last invalid request a frontend received and the last invalid response a backend's server
 * sent, kept for the runtime API's `show errors` (HAProxy's error snapshots): when, from whom,
 * where in the message the parser stopped, and the bytes as they came (up to one buffer).
 * One snapshot per proxy and direction, the newer replacing the older; events are numbered
 * across the process.
 */
import { wallNow } from '../core/clock.ts'
import type { Frontend } from './frontend.ts'

/** The bytes kept of a message: HAProxy keeps one buffer. */
const MAX_KEPT = 16384

export interface CapturedError {
  kind: 'request' | 'response'
  /** Wall-clock ms. */
  date: number
  /** The frontend (request) or backend (response) it is filed under, and the other side. */
  proxy: string
  frontend: string
  backend: string | null
  server: string | null
  event: number
  src: string
  /** Where the parser stopped, from the message's first byte. */
  pos: number
  len: number
  bytes: Uint8Array
}

let events = 0

/** Invalid messages seen by the process so far. */
export function capturedEvents(): number {
  return events
}

/** Files a snapshot on the frontend that received the message (`fe.capturedErrors`). */
export function captureError(fe: Frontend, e: { kind: 'request' | 'response'; backend: string | null; server: string | null; src: string; pos: number; buf: Uint8Array }): void {
  const proxy = e.kind === 'request' ? fe.name : e.backend ?? fe.name
  fe.capturedErrors.set(`${e.kind}\0${proxy}`, {
    kind: e.kind, date: wallNow(), proxy, frontend: fe.name, backend: e.backend, server: e.server, event: events++,
    src: e.src, pos: e.pos, len: e.buf.length, bytes: Buffer.from(e.buf.subarray(0, MAX_KEPT)),
  })
}
