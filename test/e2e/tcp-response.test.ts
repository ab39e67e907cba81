/**
 * `tcp-response content` end to end: in tcp mode the server's first bytes are held until the
 * backend's rules decide (or `tcp-response inspect-delay` runs out), then passed on or the
 * session is closed; in http mode the rules run on the response before `http-response`.
 */
import { expect, test } from 'bun:test'
import { cfg, connectClient, startLb, startServer } from '../support/harness.ts'
import { rawExchange, startHttpServer } from '../support/http-harness.ts'

test('tcp mode: the server bytes pass once the rules accept them, waiting for more when they cannot decide yet; a reject closes', async () => {
  let greeting = ['OK', ': hello']
  await using srv = startServer('s', 'manual')
  srv.onAccept = (c) => {
    const [first, ...rest] = greeting
    void c.write(first!)
    // The rest comes only once the client spoke: the rules must have waited for it.
    c.onData = () => { for (const r of rest) void c.write(r) }
  }
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      timeout connect 5s
      timeout client 5s
      timeout server 5s
      tcp-response inspect-delay 5s
      tcp-response content set-var(txn.seen) res.len
      tcp-response content accept if { res.payload(0,4) -m str "OK: " }
      tcp-response content reject
      server s 127.0.0.1:${srv.port}`)
  {
    using c = await connectClient(lb.port())
    await c.write('go')
    await c.waitText('OK: hello')
    expect(c.text()).toBe('OK: hello')
  }
  greeting = ['NO', 'PE']
  {
    using c = await connectClient(lb.port())
    await c.write('go')
    await c.waitClosed()
    expect(c.text()).toBe('')
  }
})

test('http mode: tcp-response content runs on the response before http-response; a reject closes without an answer', async () => {
  await using a = startHttpServer('A')
  await using lb = await startLb(cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      timeout connect 5s
      timeout client 5s
      timeout server 5s
      tcp-response content set-var(txn.tag) str(seen)
      tcp-response content reject if { var(txn.deny) -m found }
      http-request set-var(txn.deny) str(1) if { path /deny }
      http-response set-header X-Tag %[var(txn.tag)]
      server a 127.0.0.1:${a.port}`)
  expect(await rawExchange(lb.port(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')).toContain('\r\nX-Tag: seen\r\n')
  expect(await rawExchange(lb.port(), 'GET /deny HTTP/1.1\r\nHost: h\r\n\r\n')).toBe('')
})
