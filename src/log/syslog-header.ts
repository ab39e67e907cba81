/**
 * The header each `log … format F` puts before a message, byte for byte as HAProxy writes it
 * (PRI = facility * 8 + level; dates are the sending time, local):
 *
 *   local     <134>Nov 21 02:13:01 edgelb[4242]: MSG             (the default)
 *   rfc3164   <134>Nov 21 02:13:01 HOST edgelb[4242]: MSG        (HOST: log-send-hostname, else localhost;
 *                                                                  the default when log-send-hostname is set)
 *   rfc5424   <134>1 2026-11-21T02:13:01.123000+01:00 HOST edgelb 4242 - - MSG   (HOST '-' when unset)
 *   priority  <134>MSG
 *   short     <6>MSG                                              (the level alone, as systemd reads it)
 *   timed     <6>2026-11-21T02:13:01.123000+01:00 MSG
 *   iso       2026-11-21T02:13:01.123000+01:00 MSG
 *   raw       MSG
 *
 * A header is compiled once per `log` line: the PRI strings of the eight levels and the fixed
 * words are built then, the dates once per second (date.ts), so a line costs a concatenation.
 */
import { formatIsoDate, formatSyslogDate } from './date.ts'

export const SYSLOG_FORMATS = ['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'] as const
export type SyslogFormat = (typeof SYSLOG_FORMATS)[number]

/** Who the lines say they come from. */
export interface SyslogIdentity {
  facility: number
  /** The hostname field ('' = none given). */
  host: string
  /** The program tag (`log-tag`; edgelb by default). */
  tag: string
  pid: number
}

/** The header of a message at `level` (already capped by minlevel) sent at wall-clock `ms`. */
export type HeaderFn = (level: number, ms: number) => string

/** `<PRI>` for each level of one facility. */
function priorities(facility: number): string[] {
  return Array.from({ length: 8 }, (_, lv) => `<${facility * 8 + lv}>`)
}

const LEVEL_ONLY = priorities(0)

/** `tag[pid]: ` as rfc3164 and local write it (nothing when there is no tag). */
function tagPid(id: SyslogIdentity): string {
  return id.tag === '' ? '' : `${id.tag}[${id.pid}]: `
}

const HEADERS: Readonly<Record<SyslogFormat, (id: SyslogIdentity) => HeaderFn>> = {
  local(id) {
    const pri = priorities(id.facility)
    const tail = ' ' + tagPid(id)
    return (lv, ms) => pri[lv] + formatSyslogDate(ms) + tail
  },
  rfc3164(id) {
    const pri = priorities(id.facility)
    const tail = ` ${id.host === '' ? 'localhost' : id.host} ${tagPid(id)}`
    return (lv, ms) => pri[lv] + formatSyslogDate(ms) + tail
  },
  rfc5424(id) {
    const pri = priorities(id.facility).map((p) => p + '1 ')
    const tail = ` ${id.host || '-'} ${id.tag || '-'} ${id.pid} - - `
    return (lv, ms) => pri[lv] + formatIsoDate(ms) + tail
  },
  priority(id) {
    const pri = priorities(id.facility)
    return (lv) => pri[lv]!
  },
  short: () => (lv) => LEVEL_ONLY[lv]!,
  timed: () => (lv, ms) => LEVEL_ONLY[lv] + formatIsoDate(ms) + ' ',
  iso: () => (_lv, ms) => formatIsoDate(ms) + ' ',
  raw: () => () => '',
}

/** Compiles the header of `format` for `id`. With no format, HAProxy's default: `local`, or
 *  `rfc3164` when a hostname is sent (`log-send-hostname`). */
export function compileHeader(format: SyslogFormat | undefined, id: SyslogIdentity): HeaderFn {
  return HEADERS[format ?? (id.host === '' ? 'local' : 'rfc3164')](id)
}

export function isSyslogFormat(name: string): name is SyslogFormat {
  return (SYSLOG_FORMATS as readonly string[]).includes(name)
}
