import { describe, expect, test } from 'bun:test'
import type { Timeouts } from '../../model/types.ts'
import { clientTimeout, keepAliveTimeout, requestTimeout, serverTimeout, tarpitTimeout, termPhase, type CliState, type SrvState, type TimeoutView } from './timeouts.ts'

function view(cs: CliState, ss: SrvState, fe: Timeouts, be: Timeouts | null = null, pending = 0): TimeoutView {
  return { cs, ss, toCli: { size: pending }, fe: { cfg: { timeouts: fe } }, st: { be: be === null ? null : { cfg: { timeouts: be } } } }
}

describe('the client side', () => {
  test('a request head has timeout http-request, else timeout client; the next one http-keep-alive first', () => {
    expect(requestTimeout({ client: 30_000, httpRequest: 5_000 })).toBe(5_000)
    expect(requestTimeout({ client: 30_000 })).toBe(30_000)
    expect(requestTimeout({})).toBeUndefined()
    expect(keepAliveTimeout({ client: 30_000, httpRequest: 5_000, httpKeepAlive: 1_000 })).toBe(1_000)
    expect(keepAliveTimeout({ client: 30_000, httpRequest: 5_000 })).toBe(5_000)
    expect(keepAliveTimeout({ client: 30_000 })).toBe(30_000)
  })

  test('a body being received has timeout client; a tunnel the backend tunnel timeout, else client', () => {
    expect(clientTimeout(view('req-body', 'connecting', { client: 30_000, httpRequest: 5_000 }))).toBe(30_000)
    expect(clientTimeout(view('tunnel', 'tunnel', { client: 30_000 }, { tunnel: 3_600_000 }))).toBe(3_600_000)
    expect(clientTimeout(view('tunnel', 'tunnel', { client: 30_000 }, {}))).toBe(30_000)
  })

  test('waiting for the server, the client has a timeout only while it is slow to read', () => {
    expect(clientTimeout(view('req-done', 'res-head', { client: 30_000 }))).toBeUndefined()
    expect(clientTimeout(view('req-done', 'res-body', { client: 30_000 }, null, 1))).toBe(30_000)
    expect(clientTimeout(view('closing', 'res-done', { client: 30_000 }, null, 1))).toBe(30_000)
  })

  test('tarpit: the frontend timeout tarpit, else the backend one, else timeout connect, else none', () => {
    expect(tarpitTimeout(view('req-body', 'none', { tarpit: 2_000, connect: 5_000 }, { tarpit: 3_000 }))).toBe(2_000)
    expect(tarpitTimeout(view('req-body', 'none', { connect: 5_000 }, { tarpit: 3_000 }))).toBe(3_000)
    expect(tarpitTimeout(view('req-body', 'none', { connect: 5_000 }))).toBe(5_000)
    expect(tarpitTimeout(view('req-body', 'none', {}))).toBe(0)
  })
})

describe('the server side', () => {
  test('timeout server while the response is awaited or received; in a tunnel, tunnel first', () => {
    const be = { server: 20_000, tunnel: 600_000 }
    expect(serverTimeout(view('req-done', 'res-head', {}, be))).toBe(20_000)
    expect(serverTimeout(view('req-done', 'res-body', {}, be))).toBe(20_000)
    expect(serverTimeout(view('tunnel', 'tunnel', {}, be))).toBe(600_000)
    expect(serverTimeout(view('tunnel', 'tunnel', {}, { server: 20_000 }))).toBe(20_000)
  })

  test('no server timeout before a connection is up, nor after the response', () => {
    for (const ss of ['none', 'queued', 'connecting', 'res-done'] as const) {
      expect(serverTimeout(view('req-done', ss, {}, { server: 20_000 }))).toBeUndefined()
    }
    expect(serverTimeout(view('wait-req', 'none', {}))).toBeUndefined()
  })
})

test('the termination phase follows the server side, else whether the request was being read', () => {
  expect(termPhase(view('req-done', 'queued', {}))).toBe('Q')
  expect(termPhase(view('req-done', 'connecting', {}))).toBe('C')
  expect(termPhase(view('req-done', 'res-head', {}))).toBe('H')
  expect(termPhase(view('req-done', 'res-body', {}))).toBe('D')
  expect(termPhase(view('tunnel', 'tunnel', {}))).toBe('D')
  expect(termPhase(view('wait-req', 'none', {}))).toBe('R')
  expect(termPhase(view('req-body', 'none', {}))).toBe('R')
  expect(termPhase(view('closing', 'res-done', {}))).toBe('D')
})
