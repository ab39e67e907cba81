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
import { formatLogDate } from './date.ts'


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
  return `${plainAddress(f.clientAddr)}:${f.clientPort} [${formatLogDate(f.acceptDate)}] ${f.frontend} ${f.backend}/${f.server} ${f.tw}/${f.tc}/${f.tt} ${f.bytesOut} ${f.termination} ${f.actconn}/${f.feconn}/${f.beconn}/${f.srvConn}/${f.retries} ${f.srvQueue}/${f.beQueue}`
}
