import { expect, test } from 'bun:test'
import { chunkedEnd, readRequest, requestHead, responseHead, trailerFields, type H2Request } from './messages.ts'

const req = (extra: string[] = [], pseudo = [':method', 'GET', ':scheme', 'https', ':authority', 'a.test', ':path', '/p']) => readRequest([...pseudo, ...extra], true)

test('a request is checked: pseudo-headers, names, connection-specific fields, te, content-length', () => {
  expect(req()).toMatchObject({ method: 'GET', authority: 'a.test', path: '/p', contentLength: -1 })
  expect(req(['content-length', '5', 'content-length', '5'])).toMatchObject({ contentLength: 5 })
  for (const [bad, why] of [
    [['X-Up', '1'], /bad field name/],
    [['connection', 'close'], /connection-specific/],
    [['te', 'gzip'], /te other/],
    [['content-length', '5', 'content-length', '6'], /conflicting/],
    [['x', ' lead'], /bad value/],
    [[':path', '/again'], /after a regular|repeated/],
  ] as const) expect(req([...bad])).toMatch(why)
  expect(readRequest([':method', 'GET', ':path', '/'], true)).toMatch(/missing :scheme/)
  expect(readRequest([':method', 'GET', ':scheme', 'http', ':path', 'x'], true)).toMatch(/bad :path/)
  expect(readRequest([':method', 'CONNECT', ':protocol', 'websocket', ':scheme', 'http', ':path', '/ws', ':authority', 'a'], false)).toMatch(/:protocol without/)
})

test('the HTTP/1.1 head: host from :authority, cookies joined, chunked without a length, WebSocket upgrade', () => {
  const r = req(['cookie', 'a=1', 'cookie', 'b=2', 'x-y', 'z']) as H2Request
  expect(requestHead(r, true, () => 'K')).toEqual({ head: 'GET /p HTTP/1.1\r\nhost: a.test\r\nx-y: z\r\ncookie: a=1; b=2\r\n\r\n', chunked: false })
  expect(requestHead(req([], [':method', 'POST', ':scheme', 'http', ':authority', 'a', ':path', '/u']) as H2Request, false, () => 'K').head).toContain('transfer-encoding: chunked')
  const ws = readRequest([':method', 'CONNECT', ':protocol', 'websocket', ':scheme', 'http', ':authority', 'a', ':path', '/ws', 'sec-websocket-version', '13'], true) as H2Request
  expect(requestHead(ws, false, () => 'K').head).toBe('GET /ws HTTP/1.1\r\nhost: a\r\nsec-websocket-version: 13\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-key: K\r\n\r\n')
  // No :authority (RFC 9113 allows it): an empty Host, as RFC 9112 §3.2 asks; a Host field stays.
  const bare = readRequest([':method', 'GET', ':scheme', 'https', ':path', '/t'], true) as H2Request
  expect(requestHead(bare, true, () => 'K').head).toBe('GET /t HTTP/1.1\r\nhost: \r\n\r\n')
  const hosted = readRequest([':method', 'GET', ':scheme', 'https', ':path', '/t', 'host', 'h.test'], true) as H2Request
  expect(requestHead(hosted, true, () => 'K').head).toBe('GET /t HTTP/1.1\r\nhost: h.test\r\n\r\n')
})

test('a response from an HTTP/2 server as HTTP/1.1, and trailers both ways', () => {
  expect(responseHead([':status', '200', 'content-type', 'text/plain'], false)).toEqual({ head: 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n', status: 200, chunked: true })
  expect(responseHead([':status', '204'], true)).toMatchObject({ head: 'HTTP/1.1 204 No Content\r\n\r\n', chunked: false })
  expect(responseHead([':status', '200'], true)).toMatchObject({ head: 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n' })
  expect(responseHead(['x', 'y'], true)).toMatch(/without :status/)
  expect(responseHead([':status', '200', ':path', '/'], true)).toMatch(/pseudo-header/)
  expect(chunkedEnd(['grpc-status', '0', 'grpc-message', 'ok'])).toBe('0\r\ngrpc-status: 0\r\ngrpc-message: ok\r\n\r\n')
  expect(trailerFields(['Grpc-Status: 0', 'bad line', 'Connection: x'])).toEqual(['grpc-status', '0'])
})
