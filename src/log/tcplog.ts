/**
 * HAProxy's `option tcplog` line:
 *
 *   127.0.0.1:40218 [21/Nov/2026:02:13:01.123] fe be/srv1 0/1/25 1024 -- 1/1/0/0/0 0/0
 *   client          accept date                fe be/srv Tw/Tc/Tt bytes term act/fe/be/srv/retries srvq/beq
 *
 * Tw = time in queues, Tc = time to connect, Tt = total time (ms; -1 when the phase was never
 * reached); bytes = bytes sent to the client.
 */
import { plainAddress } from '../core/address.ts'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const p2 = (n: number): string => (n < 10 ? '0' : '') + n
const p3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n

/** `21/Nov/2026:02:13:01.123` in local time, as HAProxy prints the accept date. */
export function formatAcceptDate(ms: number): string {
  const d = new Date(ms)
  return `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${p3(d.getMilliseconds())}`
}

export interface TcpLogFields {
  clientAddr: string
  clientPort: number
  acceptDate: number
  frontend: string
  backend: string
  server: string
  tw: number
  tc: number
  tt: number
  bytesOut: number
  termination: string
  actconn: number
  feconn: number
  beconn: number
  srvConn: number
  retries: number
  srvQueue: number
  beQueue: number
}

export function formatTcpLog(f: TcpLogFields): string {
  return `${plainAddress(f.clientAddr)}:${f.clientPort} [${formatAcceptDate(f.acceptDate)}] ${f.frontend} ${f.backend}/${f.server} ${f.tw}/${f.tc}/${f.tt} ${f.bytesOut} ${f.termination} ${f.actconn}/${f.feconn}/${f.beconn}/${f.srvConn}/${f.retries} ${f.srvQueue}/${f.beQueue}`
}
