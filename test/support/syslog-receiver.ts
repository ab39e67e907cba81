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

/** A syslog daemon on a unix datagram socket the test binds (`log /dev/log` as edgelb sends it):
 *  python3 binds PATH and prints each datagram in hex, one per line, so the bytes are exact. */
export interface UnixSyslogReceiver extends SyslogReceiver {
  readonly path: string
  /** The datagrams as bytes. */
  readonly datagrams: Buffer[]
}

const UNIX_RX = `
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
sys.stdout.write("ready\\n"); sys.stdout.flush()
while True:
    d = s.recv(70000)
    sys.stdout.write(d.hex() + "\\n"); sys.stdout.flush()
`

export async function unixSyslogReceiver(path: string): Promise<UnixSyslogReceiver> {
  const proc = Bun.spawn(['python3', '-c', UNIX_RX, path], { stdout: 'pipe', stderr: 'inherit' })
  const frames: string[] = []
  const datagrams: Buffer[] = []
  const got = new Signal()
  let ready = false
  void (async () => {
    let rest = ''
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
      rest += Buffer.from(chunk).toString()
      let nl
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl)
        rest = rest.slice(nl + 1)
        if (line === 'ready') ready = true
        else {
          const b = Buffer.from(line, 'hex')
          datagrams.push(b)
          frames.push(b.toString())
        }
        got.notify()
      }
    }
  })()
  await got.until(() => ready, `python3 bound to ${path}`)
  return {
    path,
    port: 0,
    frames,
    datagrams,
    async waitFrames(n, ms = 5000) {
      await got.until(() => frames.length >= n, `${n} datagram(s) on ${path}, have ${JSON.stringify(frames)}`, ms)
      return frames
    },
    async [Symbol.asyncDispose]() {
      proc.kill()
      await proc.exited
    },
  }
}

/** A syslog server over TCP on 127.0.0.1, port 0: keeps the bytes of every connection, joined. */
export interface TcpSyslogReceiver extends AsyncDisposable {
  readonly port: number
  /** Everything received, in order, as text. */
  text(): string
  /** Connections accepted so far. */
  readonly accepted: number
  /** Resolves once `check(text)` holds. */
  until(check: (text: string) => boolean, what: string, ms?: number): Promise<string>
  /** Closes the connections it holds (the server stays listening). */
  dropClients(): void
}

export async function tcpSyslogReceiver(port = 0): Promise<TcpSyslogReceiver> {
  const net = await import('node:net')
  let buf = ''
  let accepted = 0
  const socks = new Set<import('node:net').Socket>()
  const got = new Signal()
  const server = net.createServer((s) => {
    accepted++
    socks.add(s)
    got.notify()
    s.on('data', (d) => { buf += d.toString(); got.notify() })
    s.on('close', () => socks.delete(s))
    s.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as { port: number }).port,
    text: () => buf,
    get accepted() { return accepted },
    async until(check, what, ms = 5000) {
      await got.until(() => check(buf), `${what}; have ${JSON.stringify(buf)}`, ms)
      return buf
    },
    dropClients() { for (const s of socks) s.destroy() },
    async [Symbol.asyncDispose]() {
      for (const s of socks) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
