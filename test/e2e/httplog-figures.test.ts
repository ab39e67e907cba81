// The figures of the httplog line against what HAProxy logs: the connection counts once the
// request has left its backend and server (a lone request logs 1/1/0/0/0), and the bytes, which
// are what the client received, headers edgelb adds included (HAProxy's %B: "bytes sent to the
// client, including headers").
import { expect, test } from 'bun:test'
import { cfg, startLb } from '../support/harness.ts'
import { answer, okResponse, rawExchange, startHttpServer } from '../support/http-harness.ts'

const defaults = cfg`
  defaults
    mode http
    log stdout format raw local0
    option httplog
    timeout client 5s
    timeout server 5s
    timeout connect 1s`

function counts(line: string): string {
  return / (\d+\/\d+\/\d+\/\d+\/\+?\d+) \d+\/\d+ /.exec(line)![1]!
}

function bytes(line: string): number {
  return Number(/ \d+\/-?\d+\/-?\d+\/-?\d+\/-?\d+ \d+ (\d+) /.exec(line)![1])
}

test('a lone request logs 1/1/0/0/0: its own backend and server counts are released by log time', async () => {
  await using a = startHttpServer('a', () => okResponse('hello'))
  await using lb = await startLb(defaults + cfg`
    listen web
      bind 127.0.0.1:0
      server a 127.0.0.1:${a.port}`)
  await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
  const [line] = await lb.waitLogs(1)
  expect(counts(line!)).toBe('1/1/0/0/0')
})

test('two requests at once: the first logged sees the other in its backend and on its server', async () => {
  await using a = startHttpServer('a', (req) => (req.uri === '/slow' ? null : okResponse('fast')))
  await using lb = await startLb(defaults + cfg`
    listen web
      bind 127.0.0.1:0
      server a 127.0.0.1:${a.port}`)
  const slow = rawExchange(lb.port(), 'GET /slow HTTP/1.0\r\n\r\n')
  await a.waitRequests(1)
  await rawExchange(lb.port(), 'GET /fast HTTP/1.0\r\n\r\n')
  const [fast] = await lb.waitLogs(1)
  expect(counts(fast!)).toBe('2/2/1/1/0')
  answer(a, a.requests[0]!, okResponse('slow', 'Connection: close\r\n'))
  await slow
  const logs = await lb.waitLogs(2)
  expect(counts(logs[1]!)).toBe('1/1/0/0/0')
})

test('bytes: what the client received, the Set-Cookie and Cache-Control of cookie insertion included', async () => {
  await using a = startHttpServer('a', () => okResponse('hello'))
  await using lb = await startLb(defaults + cfg`
    listen web
      bind 127.0.0.1:0
      cookie SRV insert indirect nocache
      server s1 127.0.0.1:${a.port} cookie s1`)
  const got = await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
  expect(got).toContain('Set-Cookie: SRV=s1; path=/\r\n')
  const [line] = await lb.waitLogs(1)
  expect(bytes(line!)).toBe(Buffer.byteLength(got))
})
