// What log lines say: unique-id-header (the server sees the id the log line has), the
// encodings of log-format values, error-log-format.
import { expect, test } from 'bun:test'
import { cfg, startLb } from '../support/harness.ts'
import { okResponse, rawExchange, startHttpServer } from '../support/http-harness.ts'

const defaults = cfg`
  defaults
    mode http
    log stdout format raw local0
    timeout client 5s
    timeout server 5s
    timeout connect 1s`

test('unique-id-header: the request the server gets carries the id the log line shows', async () => {
  await using a = startHttpServer('a', () => okResponse('x'))
  await using lb = await startLb(defaults + cfg`
    listen web
      bind 127.0.0.1:0
      unique-id-format "%[uuid]"
      unique-id-header X-Unique-ID
      log-format "id=%ID %r"
      server a 127.0.0.1:${a.port}`)
  await rawExchange(lb.port(), 'GET /u HTTP/1.0\r\n\r\n')
  const [line] = await lb.waitLogs(1)
  const id = a.requests[0]!.header('x-unique-id')
  expect(id).toMatch(/^[0-9a-f-]{36}$/)
  expect(line).toBe(`id=${id} GET /u HTTP/1.0`)
})
