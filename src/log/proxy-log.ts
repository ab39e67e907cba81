/**
 * The log lines of one proxy: its `log` lines (`log global` standing for the global ones), who
 * the lines say they come from, and the level its traffic lines are logged at.
 *
 * Traffic lines (tcplog, httplog, log-format) go at `info`. A session or request that ended in
 * error — a termination cause other than a normal or a local end, a retry, a status of 500 or
 * more — goes at `err` under `option log-separate-errors`, and only those lines go under
 * `option dontlog-normal`. `set-log-level` replaces the level (`silent`: not logged).
 */
import type { LogTarget } from '../model/types.ts'
import { wallNow } from '../core/clock.ts'
import { DEFAULT_LOG_LEN } from './frame.ts'
import { facilityNumber, levelNumber, LOG_DEBUG, LOG_EMERG, LOG_ERR, LOG_INFO } from './levels.ts'
import { Logger } from './logger.ts'
import type { LogOutputs } from './outputs.ts'
import { parseSample } from './sample.ts'
import { compileHeader, isSyslogFormat } from './syslog-header.ts'
import { parseLogDest } from './target-address.ts'

/** The program tag when no `log-tag` says otherwise. */
export const DEFAULT_LOG_TAG = 'edgelb'

export interface ProxyLogOptions {
  outputs: LogOutputs
  /** `log-tag` (the proxy's, else the global one, else edgelb). */
  tag: string
  /** `log-send-hostname` ('' = not sent). */
  host: string
  /** `option log-separate-errors`, `option dontlog-normal`. */
  separateErrors: boolean
  dontLogNormal: boolean
}

export class ProxyLog {
  readonly #loggers: readonly Logger[]
  /** The least severe level any of its `log` lines sends: a line above it need not be built. */
  readonly maxLevel: number
  readonly #separateErrors: boolean
  readonly #dontLogNormal: boolean

  constructor(loggers: readonly Logger[], opts: { separateErrors: boolean; dontLogNormal: boolean }) {
    this.#loggers = loggers
    this.maxLevel = Math.max(-1, ...loggers.map((l) => l.level))
    this.#separateErrors = opts.separateErrors
    this.#dontLogNormal = opts.dontLogNormal
  }

  /** Sends `line` at `level` to every `log` line of the proxy. */
  send(level: number, line: string): void {
    const ms = wallNow()
    for (const l of this.#loggers) l.send(level, line, ms)
  }

  /** The level of a traffic line (-1: not logged, nor worth building). `err`: it ended in error;
   *  `override`: what `set-log-level` said, if anything. */
  trafficLevel(err: boolean, override: string | undefined): number {
    if (!err && this.#dontLogNormal) return -1
    let level = err && this.#separateErrors ? LOG_ERR : LOG_INFO
    if (override !== undefined) level = override === 'silent' ? -1 : levelNumber(override)
    return level > this.maxLevel ? -1 : level
  }
}

/** Builds the run-time form of `targets` (already validated at load); null when there are none. */
export function buildProxyLog(targets: readonly LogTarget[], opts: ProxyLogOptions): ProxyLog | null {
  if (targets.length === 0) return null
  const pid = process.pid
  const loggers = targets.map((t) => {
    const dest = parseLogDest(t.address, t.pos)
    const own = opts.outputs.formatOf(dest) ?? t.format
    const format = own !== undefined && isSyslogFormat(own) ? own : undefined
    const spec = {
      writer: opts.outputs.writer(dest),
      header: compileHeader(format, { facility: Math.max(0, facilityNumber(t.facility ?? 'kern')), host: opts.host, tag: opts.tag, pid }),
      maxLen: t.len ?? DEFAULT_LOG_LEN,
      level: t.level === undefined ? LOG_DEBUG : levelNumber(t.level),
      minLevel: t.minLevel === undefined ? LOG_EMERG : levelNumber(t.minLevel),
    }
    return new Logger(t.sample === undefined ? spec : { ...spec, sample: parseSample(t.sample, t.pos) })
  })
  return new ProxyLog(loggers, opts)
}
