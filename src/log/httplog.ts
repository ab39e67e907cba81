/**
 * HAProxy's `option httplog` line, one per request (HAProxy 2.x layout):
 *
 *   127.0.0.1:40218 [21/Nov/2026:02:13:01.123] web app/s1 0/0/1/2/3 200 245 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"
 *   client          request date               fe  be/srv TR/Tw/Tc/Tr/Ta st bytes CC CS tsc act/fe/be/srv/retries srvq/beq request
 *
 * TR = time to receive the request head (from its first byte), Tw = time in queues, Tc = time
 * to connect, Tr = time for the server to answer with its head, Ta = the request's whole active
 * time; -1 where the phase was never reached. bytes = bytes sent to the client. CC/CS =
 * captured request/response cookies ('-': none). tsc = termination state and the persistence
 * cookie flags (src/http/persist.ts). retries is prefixed with '+' when the request was
 * redispatched. Captured headers follow in braces when `capture request|response header` asks.
 */
import { plainAddress } from '../core/address.ts'
import { formatLogDate } from './date.ts'

export interface HttpLogFields {
  clientAddr: string
  clientPort: number
  /** Wall-clock ms when the request's first byte arrived (the accept for a first request). */
  requestDate: number
  frontend: string
  backend: string
  server: string
  tr: number
  tw: number
  tc: number
  trs: number
  ta: number
  status: number
  bytesOut: number
  /** Four characters: termination cause, phase, request cookie flag, response cookie flag. */
  tsc: string
  actconn: number
  feconn: number
  beconn: number
  srvConn: number
  retries: number
  redispatched: boolean
  srvQueue: number
  beQueue: number
  /** Captured request and response header values, or null when none are configured. */
  reqCaptures: readonly string[] | null
  resCaptures: readonly string[] | null
  /** The request line, or `<BADREQ>`. */
  request: string
}

function braces(list: readonly string[] | null): string {
  return list === null ? '' : `{${list.join('|')}} `
}

export function formatHttpLog(f: HttpLogFields): string {
  const retries = f.redispatched ? `+${f.retries}` : String(f.retries)
  return `${plainAddress(f.clientAddr)}:${f.clientPort} [${formatLogDate(f.requestDate)}] ${f.frontend} ${f.backend}/${f.server} ` +
    `${f.tr}/${f.tw}/${f.tc}/${f.trs}/${f.ta} ${f.status} ${f.bytesOut} - - ${f.tsc} ` +
    `${f.actconn}/${f.feconn}/${f.beconn}/${f.srvConn}/${retries} ${f.srvQueue}/${f.beQueue} ` +
    `${braces(f.reqCaptures)}${braces(f.resCaptures)}"${f.request}"`
}
