/** Runs wrk and parses its report (with --latency). */
import { run } from './procs.ts'

export interface WrkResult {
  requests: number
  seconds: number
  reqPerSec: number
  bytes: number
  /** Latency percentiles in ms. */
  p50: number
  p99: number
  errors: { connect: number; read: number; write: number; timeout: number }
  non2xx: number
  raw: string
}

const timeUnit: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const byteUnit: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }

function ms(v: string, unit: string): number {
  return Number(v) * (timeUnit[unit] ?? NaN)
}

export function parseWrk(out: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read/.exec(out)
  if (!total) throw new Error(`cannot parse wrk output:\n${out}`)
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(out)
    return m ? ms(m[1]!, m[2]!) : NaN
  }
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  const requests = Number(total[1])
  const seconds = ms(total[2]!, total[3]!) / 1000
  return {
    requests,
    seconds,
    reqPerSec: requests / seconds,
    bytes: Number(total[4]) * (byteUnit[total[5]!] ?? NaN),
    p50: pct('50'),
    p99: pct('99'),
    errors: se ? { connect: +se[1]!, read: +se[2]!, write: +se[3]!, timeout: +se[4]! } : { connect: 0, read: 0, write: 0, timeout: 0 },
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    raw: out,
  }
}

export interface WrkOptions {
  url: string
  connections: number
  seconds: number
  headers?: string[]
  /** CPU list for taskset (omit to run unpinned). */
  cpus?: string
}

export async function wrk(o: WrkOptions): Promise<WrkResult> {
  const cmd = ['wrk', '-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency', '--timeout', '5s']
  for (const h of o.headers ?? []) cmd.push('-H', h)
  cmd.push(o.url)
  return parseWrk(await run(o.cpus !== undefined ? ['taskset', '-c', o.cpus, ...cmd] : cmd))
}
