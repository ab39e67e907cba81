/**
 * Forms HAProxy loads that operators' configurations use and edgelb used to refuse: `OR` in a
 * condition, a source port range, a server without an address of its own, abstract unix sockets.
 */
import { expect, test } from 'bun:test'
import { cfg, startLb } from '../support/harness.ts'
import { bodyOf, rawExchange, startHttpServer, traffic } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'
const get = (uri: string): string => `GET ${uri} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`

test('OR between the terms of a condition, in any case', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      http-request deny unless { path /a } OR { path /b } Or { path /c }
      server a 127.0.0.1:${app.port}
  `)
  expect(await rawExchange(lb.port(), get('/b'))).toStartWith('HTTP/1.1 200 OK\r\n')
  expect(await rawExchange(lb.port(), get('/c'))).toStartWith('HTTP/1.1 200 OK\r\n')
  expect(await rawExchange(lb.port(), get('/d'))).toStartWith('HTTP/1.1 403 Forbidden\r\n')
})

test('a source port range: connections come from the address, on a port of the range', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      server a 127.0.0.1:${app.port} source 127.0.0.1:1025-65535
  `)
  await rawExchange(lb.port(), get('/'))
  const c = app.tcp.conns[0]!
  expect(c.remoteAddress).toBe('127.0.0.1')
  expect(c.remotePort).toBeGreaterThanOrEqual(1025)
})

test('a server without an address (:PORT) connects to the address the client connected to', async () => {
  // The frontend listens on 127.0.0.2 only, and so does the server: 0.0.0.0 or 127.0.0.1 would
  // not reach it.
  await using app = startHttpServer('app', undefined, { host: '127.0.0.2' })
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.2:0
      mode http
      ${T}
      server a :${app.port}
      server b *:${app.port}
  `)
  expect(bodyOf(await rawExchange(lb.port(), get('/1'), { host: '127.0.0.2' }))).toBe('app')
  expect(bodyOf(await rawExchange(lb.port(), get('/2'), { host: '127.0.0.2' }))).toBe('app')
  expect(traffic(app).map((r) => r.uri)).toEqual(['/1', '/2'])
})

test('abns@: a frontend listening on an abstract unix socket, and servers reaching one', async () => {
  const name = `edgelb-test-${process.pid}-${Math.random().toString(36).slice(2)}`
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    defaults
      mode http
      ${T}
    listen outer
      bind 127.0.0.1:0
      server inner abns@${name}
    listen inner
      bind abns@${name}
      server a 127.0.0.1:${app.port}
  `)
  expect(lb.engine.listening().find((l) => l.frontend === 'inner')!.addrs).toEqual([`abns@${name}`])
  expect(bodyOf(await rawExchange(lb.port('outer'), get('/x')))).toBe('app')
  expect(traffic(app).map((r) => r.uri)).toEqual(['/x'])
})
