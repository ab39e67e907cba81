// What log lines say: unique-id-header (the server sees the id the log line has), the
// encodings of log-format values, error-log-format.
import { expect, test } from 'bun:test'
import net from 'node:net'
import { testPki } from '../support/tls.ts'
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

test('%{+json}o with named items: each line one JSON object', async () => {
  await using a = startHttpServer('a', () => okResponse('x'))
  await using lb = await startLb(defaults + cfg`
    listen web
      bind 127.0.0.1:0
      log-format "%{+json}o %(client_ip)ci %(status)ST %(bytes)B %(request)r %(backend)b"
      server a 127.0.0.1:${a.port}`)
  await rawExchange(lb.port(), 'GET /j?"q" HTTP/1.0\r\n\r\n')
  const [line] = await lb.waitLogs(1)
  expect(JSON.parse(line!)).toEqual({ client_ip: '127.0.0.1', status: 200, bytes: Buffer.byteLength(okResponse('x')), request: 'GET /j?"q" HTTP/1.0', backend: 'web' })
})

test('error-log-format: a failed TLS handshake is logged in that format, fc_err_str saying why', async () => {
  const pki = testPki()
  await using a = startHttpServer('a', () => okResponse('x'))
  await using lb = await startLb(defaults + cfg`
    frontend fe
      bind 127.0.0.1:0 ssl crt ${pki.file('a.pem')} name public
      error-log-format "conn-error %ci %ft %[so_name] %{+Q}[fc_err_str]"
      default_backend be
    backend be
      server a 127.0.0.1:${a.port}`)
  const c = net.connect(lb.port(), '127.0.0.1', () => c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
  c.on('error', () => {})
  await new Promise((r) => c.on('close', r))
  const [line] = await lb.waitLogs(1)
  expect(line).toBe('conn-error 127.0.0.1 fe public "SSL handshake failure"')
})

test('the unique-id fetch: the same id in a header a rule sets, in unique-id-header and in the log line', async () => {
  await using a = startHttpServer('a', () => okResponse('x'))
  await using lb = await startLb(defaults + cfg`
    listen web
      bind 127.0.0.1:0
      unique-id-format "%{+X}o%ci:%cp_%[rand(1000000)]"
      unique-id-header X-Unique-ID
      http-request set-header X-Copy %[unique-id]
      log-format "id=%ID"
      server a 127.0.0.1:${a.port}`)
  await rawExchange(lb.port(), 'GET /u HTTP/1.0\r\n\r\n')
  const [line] = await lb.waitLogs(1)
  const seen = a.requests[0]!
  expect(seen.header('x-copy')).toMatch(/^7F000001:[0-9A-F]{4}_[0-9A-F]+$/)
  expect(seen.header('x-unique-id')).toBe(seen.header('x-copy'))
  expect(line).toBe(`id=${seen.header('x-copy')}`)
})
