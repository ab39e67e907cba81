/** Records shared by the load generator, its worker processes, the runner and the reports. */
import type { HistogramJson } from './histogram.ts'

export interface Target {
  host: string
  port: number
}

export interface LoadOptions {
  /** Connections are spread over these in turn (several backends, direct). */
  targets: Target[]
  /** `http`: HTTP/1.1 requests; `tcp`: the line protocol of tcp-server.ts. */
  protocol: 'http' | 'tcp'
  /** HTTP: the request target and Host header. */
  path: string
  host: string
  /** HTTP: keep the connection for the next request, or one connection per request. */
  keepAlive: boolean
  connections: number
  /** Stop after this long (ms), or after `requests` requests, whichever comes first. */
  durationMs: number
  requests: number
  /** Requests per second for all connections of this process; 0 = as fast as answers come. */
  rate: number
  /** A request unanswered after this long is an error of kind `timeout` (ms). */
  timeoutMs: number
  /** TCP: the bytes of one answer (the line protocol has no framing of its own). */
  tcpAnswerBytes: number
}

export interface ErrorCounts {
  /** The connection could not be established. */
  connect: number
  /** The connection closed or reset before the whole answer came. */
  read: number
  /** Sending the request failed. */
  write: number
  /** No whole answer within the timeout. */
  timeout: number
  /** The answer was not HTTP (or not framed correctly). */
  parse: number
  /** Answers with a status of 400 or more (counted as requests too). */
  status: number
}

export function noErrors(): ErrorCounts {
  return { connect: 0, read: 0, write: 0, timeout: 0, parse: 0, status: 0 }
}

export function totalErrors(e: ErrorCounts): number {
  return e.connect + e.read + e.write + e.timeout + e.parse + e.status
}

/** What one load-generator process measured. */
export interface LoadResult {
  /** Answers received whole (any status). */
  requests: number
  /** Bytes received (heads and bodies). */
  bytes: number
  /** From the first connection attempt to the end (ms). */
  elapsedMs: number
  errors: ErrorCounts
  /** Answers per status code. */
  statuses: Record<string, number>
  /** Latency of whole answers in µs: from the intended send time when `rate` is set
   *  (coordinated omission corrected), else from the actual send time. */
  latency: HistogramJson
  /** Connections opened (keep-alive: about `connections`; close: one per request). */
  connectionsOpened: number
}

/** A progress report from a running load generator. */
export interface LoadProgress {
  requests: number
  errors: number
  bytes: number
}
