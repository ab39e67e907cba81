/**
 * A syslog server for the logging scenarios: a node:dgram socket on 127.0.0.1, port 0, that keeps
 * every datagram it receives as text, in order. Disposable; waits are bounded (Signal, wait.ts).
 */
import dgram from 'node:dgram'
import { Signal } from './wait.ts'

export interface SyslogReceiver extends AsyncDisposable {
  readonly port: number
  /** Datagrams received, as text (the line feed that ends each one included). */
  readonly frames: string[]
  /** Resolves with the frames once `n` have arrived. */
  waitFrames(n: number, ms?: number): Promise<string[]>
}

export async function syslogReceiver(): Promise<SyslogReceiver> {
  const sock = dgram.createSocket('udp4')
  const frames: string[] = []
  const got = new Signal()
  sock.on('message', (m) => { frames.push(m.toString()); got.notify() })
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()))
  return {
    port: sock.address().port,
    frames,
    async waitFrames(n, ms = 5000) {
      await got.until(() => frames.length >= n, `${n} syslog datagram(s), have ${JSON.stringify(frames)}`, ms)
      return frames
    },
    async [Symbol.asyncDispose]() {
      await new Promise<void>((resolve) => sock.close(() => resolve()))
    },
  }
}

/** The wall-clock ms an RFC 5424 / ISO header carries (`2026-11-21T02:13:01.123000+01:00`). */
export function isoMs(frame: string): number {
  const m = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d/.exec(frame)
  if (!m) throw new Error(`no ISO date in ${JSON.stringify(frame)}`)
  return Date.parse(m[0].slice(0, 23) + m[0].slice(26))
}
