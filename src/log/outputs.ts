/**
 * The engine's log destinations: one writer per destination (one UDP socket per syslog server,
 * one unix datagram socket per path, one ring per `ring` section and per `log tcp@` server), made
 * the first time a `log` line names it (rings: when the engine starts) and closed when the engine
 * stops.
 */
import type { RingConfig } from '../model/types.ts'
import { LineWriter } from './line-writer.ts'
import { Ring } from './ring.ts'
import { RingForwarder } from './ring-forwarder.ts'
import { destKey, parseLogDest, type LogDest } from './target-address.ts'
import type { LogWriter, OpenUnixDgram } from './types.ts'
import { UdpWriter } from './udp-writer.ts'
import { UnixDgramWriter } from './unix-writer.ts'

export interface LogOutputsIo {
  /** The process's stdout and stderr line writers. */
  out(line: string): void
  err(line: string): void
  /** The runtime's unix datagram sockets (net/runtime.ts); absent where it has none (Deno): the
   *  lines of unix socket targets then go to stdout, as the error stream says once. */
  openUnixDgram?: OpenUnixDgram | undefined
  /** The `ring` sections. */
  rings?: readonly RingConfig[] | undefined
  /** The outputs of the generation a reload replaces: its rings declared the same way (and the
   *  implicit rings of the same `log tcp@` servers) are taken over, lines and connections. */
  previous?: LogOutputs | undefined
}

export class LogOutputs {
  readonly #writers = new Map<string, LogWriter>()
  readonly #rings = new Map<string, Ring>()
  /** Each ring section's settings, to tell whether a reload's ring is the same. */
  readonly #ringSettings = new Map<string, string>()
  readonly #io: LogOutputsIo
  /** The replaced generation's outputs, until `forgetPrevious`. */
  #previous: LogOutputs | undefined
  readonly #err: (line: string) => void
  #saidNoUnix = false

  constructor(io: LogOutputsIo) {
    this.#io = { out: io.out, err: io.err, openUnixDgram: io.openUnixDgram }
    this.#previous = io.previous
    this.#err = (line) => io.err(`edgelb: ${line}`)
    const previous = io.previous
    for (const rc of io.rings ?? []) {
      const settings = JSON.stringify([rc.size, rc.format ?? 'raw', rc.maxLen, rc.description, rc.timeoutConnect, rc.timeoutServer, rc.servers.map((x) => [x.name, x.address, x.octetCount])])
      this.#ringSettings.set(rc.name, settings)
      const kept = previous !== undefined && previous.#ringSettings.get(rc.name) === settings ? previous.#rings.get(rc.name) : undefined
      if (kept !== undefined) {
        kept.hold()
        this.#rings.set(rc.name, kept)
        this.#writers.set(destKey({ kind: 'ring', name: rc.name }), kept)
        continue
      }
      const ring = new Ring({
        name: rc.name, size: rc.size, format: rc.format ?? 'raw',
        ...(rc.maxLen === undefined ? {} : { maxLen: rc.maxLen }),
        ...(rc.description === undefined ? {} : { description: rc.description }),
      })
      for (const s of rc.servers) {
        const d = parseLogDest(`tcp@${s.address}`, s.pos)
        if (d.kind !== 'tcp') continue
        new RingForwarder(ring, {
          host: d.host, port: d.port, octetCount: s.octetCount, label: `ring ${rc.name} server ${s.name}`,
          ...(rc.timeoutConnect === undefined ? {} : { connectTimeout: rc.timeoutConnect }),
          ...(rc.timeoutServer === undefined ? {} : { serverTimeout: rc.timeoutServer }),
        }, this.#err)
      }
      this.#rings.set(rc.name, ring)
      this.#writers.set(destKey({ kind: 'ring', name: rc.name }), ring)
    }
  }

  /** Every writer is made: the replaced generation's outputs are not needed any more (and are
   *  not kept alive by this one). */
  forgetPrevious(): void {
    this.#previous = undefined
  }

  /** The ring of a `ring` section (`show events`). */
  ring(name: string): Ring | undefined {
    return this.#rings.get(name)
  }

  /** The names of the `ring` sections, in declaration order. */
  ringNames(): string[] {
    return [...this.#rings.keys()]
  }

  /** The syslog format a destination imposes on the lines it stores (a ring section's `format`),
   *  else undefined: the `log` line's own. */
  formatOf(dest: LogDest): string | undefined {
    return dest.kind === 'ring' ? this.#rings.get(dest.name)?.format : undefined
  }

  /** The writer of `dest`; targets edgelb does not send to yet write to stdout. */
  writer(dest: LogDest): LogWriter {
    const key = destKey(dest)
    let w = this.#writers.get(key)
    if (w === undefined) {
      w = this.#make(dest)
      this.#writers.set(key, w)
    }
    return w
  }

  #make(dest: LogDest): LogWriter {
    switch (dest.kind) {
      case 'udp':
        return new UdpWriter(dest, this.#err)
      case 'unix': {
        const open = this.#io.openUnixDgram
        if (open !== undefined) return new UnixDgramWriter(dest.path, open, this.#err)
        if (!this.#saidNoUnix) {
          this.#saidNoUnix = true
          this.#err(`log ${dest.path}: this runtime cannot send to unix datagram sockets (run edgelb under Bun); the lines of unix socket log targets go to stdout`)
        }
        return new LineWriter(this.#io.out)
      }
      case 'tcp': {
        // HAProxy's `log tcp@`: an implicit ring of its default size, forwarded octet-counted.
        const prev = this.#previous
        const kept = prev === undefined ? undefined : prev.#writers.get(destKey(dest))
        if (kept instanceof Ring) { kept.hold(); return kept }
        const ring = new Ring({ name: `tcp@${dest.host}:${dest.port}` })
        new RingForwarder(ring, { host: dest.host, port: dest.port, octetCount: true, label: `log tcp@${dest.host}:${dest.port}` }, this.#err)
        return ring
      }
      case 'ring':
        // validated at load: a ring that is not declared is refused there.
        return new LineWriter(this.#io.out)
      case 'stderr':
        return new LineWriter(this.#io.err)
      default:
        return new LineWriter(this.#io.out)
    }
  }

  close(): void {
    for (const w of this.#writers.values()) w.close()
    this.#writers.clear()
    this.#rings.clear()
  }
}
