/**
 * The request body in rules: `option http-buffer-request` waits for it, `req.body`,
 * `req.body_len`, `req.body_size` and `req.body_param` read it.
 */
import { expect, test } from 'bun:test'
import { cfg, startLb } from '../support/harness.ts'
import { rawExchange, startHttpServer, traffic } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'
const post = (uri: string, body: string): string =>
  `POST ${uri} HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`

test('req.body_param: a url-encoded parameter as written, the first without a name, ignoring case with i', async () => {
  await using app = startHttpServer('app')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      option http-buffer-request
      http-request deny if { req.body_param(user) -m str root }
      http-request set-header X-P "%[req.body_param(tries)]|%[req.body_param]|%[req.body_param(TS,i)]|%[req.body_param(ts)]|%[req.body_len]|%[req.body_size]"
      server a 127.0.0.1:${app.port}
    `)
  await rawExchange(lb.port(), post('/1', 'a=1&tries=3&ts=x%20y&empty'))
  await rawExchange(lb.port(), post('/2', 'tries=&TS=9'))
  expect(await rawExchange(lb.port(), post('/3', 'x=1&user=bob&user=root'))).toStartWith('HTTP/1.1 403')
  expect(traffic(app).map((r) => r.header('x-p'))).toEqual(['3|1|x%20y|x%20y|26|26', '||9||11|11'])
})
