/**
 * The `source` of a proxy or a server: `ADDRESS[:PORT]`, or `ADDRESS:LOW-HIGH`, a range the
 * source ports of its connections must come from (`source 0.0.0.0:1025-65535`).
 *
 * HAProxy hands out the ports of a range itself. edgelb lets the kernel pick the source port, as
 * for any connection, so it takes a range only when the kernel's own range of ephemeral ports
 * (Linux: /proc/sys/net/ipv4/ip_local_port_range) lies inside it: every port then comes from the
 * range written. The range is not used to open more connections than the kernel's range allows.
 */
import { readFileSync } from 'node:fs'
import { ConfigError, type SourcePos } from '../../model/source.ts'

/** The IANA range, for systems that do not say theirs. */
const IANA_EPHEMERAL: readonly [number, number] = [49152, 65535]

let kernelRange: readonly [number, number] | undefined

/** The ports the kernel picks source ports from. */
export function ephemeralPorts(): readonly [number, number] {
  if (kernelRange !== undefined) return kernelRange
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    kernelRange = lo! > 0 && hi! >= lo! ? [lo!, hi!] : IANA_EPHEMERAL
  } catch {
    kernelRange = IANA_EPHEMERAL
  }
  return kernelRange
}

/**
 * `text` as written after `source` (or a server's `source`): the address connections are made
 * from, as edgelb passes it on (with a single port, as before: `1.2.3.4:5000`; with a range, the
 * address alone). Throws ConfigError naming `kw` for a range the kernel's ephemeral ports do not
 * fit in, and with `checkAddress` for what is not an address (a server's `source`).
 */
export function parseSource(text: string, kw: string, at: SourcePos, options: { checkAddress: boolean }): string {
  const range = /^(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)-(\d+)$/.exec(text)
  if (range === null) {
    if (options.checkAddress && !/^[0-9.]+(:\d+)?$|^[0-9a-fA-F:]+$/.test(text)) throw new ConfigError(`'${kw}' expects an IP address (optionally :port), got '${text}'`, at)
    return text
  }
  const lo = Number(range[2])
  const hi = Number(range[3])
  if (lo < 1 || hi > 65535 || hi < lo) throw new ConfigError(`'${kw}': the port range ${lo}-${hi} in '${text}' is not one; write LOW-HIGH between 1 and 65535`, at)
  const [klo, khi] = ephemeralPorts()
  if (klo < lo || khi > hi) {
    throw new ConfigError(`'${kw}': edgelb lets the kernel pick source ports, from ${klo}-${khi} on this system, which the range ${lo}-${hi} does not contain; widen the range to contain ${klo}-${khi} (or narrow the kernel's net.ipv4.ip_local_port_range)`, at)
  }
  const host = range[1]!
  return host.startsWith('[') ? host.slice(1, -1) : host
}
