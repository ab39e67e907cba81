/**
 * HTTP/1 framing end to end, judged on the bytes each side received (issue 22): chunked bodies
 * are validated before anything of a line is forwarded and reach the other side re-encoded
 * canonically; an HTTP/1.0 client never gets chunked; absolute-form targets set Host; an
 * unsolicited 101 is a bad response; `tune.http.maxhdr`; a client timed out waiting for its
 * request gets its 408 and a clean close.
 */
import { describe, expect, test } from 'bun:test'
import { cfg, startLb, startServer, type TestServer } from '../support/harness.ts'
import { httpClient, type TestConn } from '../support/http-harness.ts'

const TIMEOUTS = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'

function web(port: number, extra = ''): string {
  return cfg`
    listen web
      bind 127.0.0.1:0
      mode http
      ${TIMEOUTS}
      ${extra}
      server s 127.0.0.1:${port}
  `
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
const UPLOAD = 'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n'

/** A raw server that answers `answer` once `done(bytes so far)` says a request is complete. */
function rawServer(answer: string | null, done: (text: string) => boolean = (t) => t.endsWith('\r\n\r\n')): TestServer {
  const s = startServer('S', 'manual')
  s.onAccept = (c) => {
    c.onData = (cc) => { if (answer !== null && done(cc.bytes().toString('latin1'))) void cc.write(answer) }
  }
  return s
}

/** Everything the server's connections received, in order (latin1). */
function serverBytes(s: TestServer): string {
  return s.conns.map((c) => c.bytes().toString('latin1')).join('')
}

/** Waits for edgelb's FIN after its answer: a clean close, never a reset. */
async function settled(c: TestConn): Promise<void> {
  await c.waitEof()
  expect(c.wasReset).toBe(false)
}

describe('chunked request bodies: validated before forwarded, re-encoded canonically', () => {
  const malformed: [string, string][] = [
    ['a chunk-size line ending in a bare LF', '5\nhello\n0\n\n'],
    ['chunk data not followed by CRLF', '5\r\nhello\n0\r\n\r\n'],
    ['an invalid chunk extension', '5;a=b c;"unterminated\r\nhello\r\n0\r\n\r\n'],
    ['the last chunk followed by a bare LF, then a second request', '0\r\n\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'],
  ]

  for (const [what, body] of malformed) {
    test(`${what}, with the head: 400, and the server gets nothing`, async () => {
      await using s = rawServer(OK, (t) => t.includes('0\r\n\r\n'))
      await using lb = await startLb(web(s.port))
      using c = await httpClient(lb.port())
      await c.write(UPLOAD + body)
      await settled(c)
      expect(c.text()).toStartWith('HTTP/1.1 400 ')
      expect(c.wasReset).toBe(false)
      expect(serverBytes(s)).toBe('')
    })

    test(`${what}, after a valid chunk: 400; the server got the head and that chunk, then its connection closed`, async () => {
      await using s = rawServer(null)
      await using lb = await startLb(web(s.port))
      using c = await httpClient(lb.port())
      await c.write(UPLOAD + '3\r\nabc\r\n')
      await s.waitAccepted(1)
      const sc = s.conns[0]!
      await sc.waitBytes(UPLOAD.length + 8)
      await c.write(body)
      await settled(c)
      await sc.waitEof()
      expect(c.text()).toStartWith('HTTP/1.1 400 ')
      expect(sc.bytes().toString('latin1')).toBe(UPLOAD + '3\r\nabc\r\n')
      expect(s.accepted).toBe(1)
    })
  }

  test('sizes in hex without leading zeros, no extensions, CRLFs, trailers kept: whatever the pieces', async () => {
    await using s = rawServer(OK, (t) => t.endsWith('\r\n0\r\nT: 1\r\n\r\n'))
    await using lb = await startLb(web(s.port))
    using c = await httpClient(lb.port())
    const body = '0005;a=b\r\nhello\r\n1A ; x="y \\" z"\r\n' + 'z'.repeat(26) + '\r\n000\r\nT: 1\r\n\r\n'
    await c.write(UPLOAD + body.slice(0, 3))
    await s.waitAccepted(1)
    for (let i = 3; i < body.length; i += 7) {
      await c.write(body.slice(i, i + 7))
      await s.conns[0]!.waitBytes(1)
    }
    await c.waitText('\r\n\r\nok')
    expect(serverBytes(s)).toBe(UPLOAD + '5\r\nhello\r\n1a\r\n' + 'z'.repeat(26) + '\r\n0\r\nT: 1\r\n\r\n')
  })
})

describe('chunked responses: validated, re-encoded, never split', () => {
  const HEAD = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
  const GET = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'

  test('bad framing before anything was sent: 502, nothing of the body', async () => {
    for (const body of ['5\nhello\n0\n\n', '5\r\nhello\n0\r\n\r\n', '5;a=b c\r\nhello\r\n0\r\n\r\n']) {
      await using s = rawServer(HEAD + body)
      await using lb = await startLb(web(s.port))
      using c = await httpClient(lb.port())
      await c.write(GET)
      await settled(c)
      expect(c.text()).toStartWith('HTTP/1.1 502 ')
      expect(c.text()).not.toContain('hello')
    }
  })

  test('a second response handed through bare LFs after some data: the client connection is cut, the forged response never arrives', async () => {
    await using s = rawServer(HEAD + '5\r\nhello\r\n')
    await using lb = await startLb(web(s.port))
    using c = await httpClient(lb.port())
    await c.write(GET)
    await c.waitText('hello\r\n')
    await s.conns[0]!.write('0\n\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged')
    await c.waitClosed()
    expect(c.text()).toBe(HEAD + '5\r\nhello\r\n')
  })

  test('a response body is re-encoded canonically', async () => {
    await using s = rawServer(HEAD + '05;ext=1\r\nhello\r\n0\r\nT: 1\r\n\r\n')
    await using lb = await startLb(web(s.port))
    using c = await httpClient(lb.port())
    await c.write(GET)
    await c.waitText('T: 1\r\n\r\n')
    expect(c.text()).toBe(HEAD + '5\r\nhello\r\n0\r\nT: 1\r\n\r\n')
  })

  test('large chunks with extensions, sent in odd pieces: the client gets them re-encoded, byte for byte', async () => {
    const data = Buffer.alloc(70_000)
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff
    const chunk = (ext: string): Buffer => Buffer.concat([Buffer.from(`0${data.length.toString(16).toUpperCase()}${ext}\r\n`), data, Buffer.from('\r\n')])
    const raw = Buffer.concat([Buffer.from(HEAD), chunk(';a=1'), chunk(' ; b="x"'), chunk(''), Buffer.from('0\r\n\r\n')])
    const s = startServer('S', 'manual')
    s.onAccept = (c) => {
      c.onData = async (cc) => {
        if (!cc.bytes().toString('latin1').endsWith('\r\n\r\n')) return
        for (let at = 0; at < raw.length; at += 9_999) await cc.write(raw.subarray(at, at + 9_999))
      }
    }
    await using _s = s
    await using lb = await startLb(web(s.port))
    using c = await httpClient(lb.port())
    await c.write(GET)
    const sized = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')])
    const expected = Buffer.concat([Buffer.from(HEAD), sized, sized, sized, Buffer.from('0\r\n\r\n')])
    await c.waitBytes(expected.length, 10_000)
    expect(c.bytes().equals(expected)).toBe(true)
  })

  test('an HTTP/1.0 client never gets Transfer-Encoding: chunked: the data alone, then the close (RFC 9112 §6.1)', async () => {
    const res = HEAD + '5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: 1\r\n\r\n'
    await using s = rawServer(res)
    await using lb = await startLb(web(s.port))
    using c = await httpClient(lb.port())
    await c.write('GET / HTTP/1.0\r\n\r\n')
    await c.waitEof()
    expect(c.text()).toBe('HTTP/1.1 200 OK\r\n\r\nhello world')
    using k = await httpClient(lb.port())
    await k.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    await k.waitEof()
    expect(k.text()).toBe('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello world')
  })
})

describe('timeout http-request', () => {
  test('clients still trickling their head get their 408 and a FIN, never a reset', async () => {
    await using s = rawServer(OK)
    await using lb = await startLb(web(s.port, 'timeout http-request 300ms'))
    const clients = await Promise.all(Array.from({ length: 20 }, () => httpClient(lb.port())))
    try {
      // Each client goes on sending a byte every 5 ms until it sees the end of the answer.
      const trickle = setInterval(() => {
        for (const c of clients) if (!c.eof && !c.closed) void c.write('x')
      }, 5)
      for (const c of clients) void c.write('GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ')
      try {
        await Promise.all(clients.map((c) => c.changed.until(() => c.eof || c.closed, 'the end of the answer', 5000)))
      } finally {
        clearInterval(trickle)
      }
      expect(clients.filter((c) => c.wasReset).length).toBe(0)
      expect(clients.map((c) => c.text().slice(0, 13))).toEqual(clients.map(() => 'HTTP/1.1 408 '))
      expect(serverBytes(s)).toBe('')
    } finally {
      for (const c of clients) c[Symbol.dispose]()
    }
  })
})

describe('heads', () => {
  test('an absolute-form target: its authority replaces Host toward the server (RFC 9112 §3.2.2)', async () => {
    await using s = rawServer(OK)
    await using lb = await startLb(web(s.port))
    using c = await httpClient(lb.port())
    await c.write('GET http://a.example/abs HTTP/1.1\r\nHost: b.example\r\nX: 1\r\n\r\n')
    await c.waitText('ok')
    expect(serverBytes(s)).toBe('GET http://a.example/abs HTTP/1.1\r\nHost: a.example\r\nX: 1\r\n\r\n')
  })

  test('an unsolicited 101 is 502, and never turns the connection into a tunnel', async () => {
    await using s = rawServer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\n')
    await using lb = await startLb(web(s.port))
    using c = await httpClient(lb.port())
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
    await c.waitText('\r\n\r\n')
    await c.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n')
    await settled(c)
    expect(c.text()).toStartWith('HTTP/1.1 502 ')
    expect(c.text()).not.toContain('101')
    await s.conns[0]!.waitClosed()
    expect(serverBytes(s)).toBe('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  })

  test('tune.http.maxhdr defaults to 101 with the start line: 100 fields pass, 101 are 400 (responses: 502)', async () => {
    const fields = (n: number): string => Array.from({ length: n }, (_, i) => `X-${i}: v\r\n`).join('')
    let answer = OK
    const s = startServer('S', 'manual')
    s.onAccept = (cc) => { cc.onData = (x) => { if (x.bytes().toString('latin1').endsWith('\r\n\r\n')) void x.write(answer) } }
    await using _s = s
    await using lb = await startLb(web(s.port))
    using ok = await httpClient(lb.port())
    await ok.write(`GET / HTTP/1.1\r\nHost: a\r\n${fields(99)}\r\n`)
    await ok.waitText('ok')
    expect(ok.text()).toStartWith('HTTP/1.1 200 ')
    using bad = await httpClient(lb.port())
    await bad.write(`GET /bad HTTP/1.1\r\nHost: a\r\n${fields(100)}\r\n`)
    await settled(bad)
    expect(bad.text()).toStartWith('HTTP/1.1 400 ')
    expect(serverBytes(s)).not.toContain('/bad')
    answer = `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n${fields(100)}\r\nok`
    using res = await httpClient(lb.port())
    await res.write('GET /r HTTP/1.1\r\nHost: a\r\n\r\n')
    await settled(res)
    expect(res.text()).toStartWith('HTTP/1.1 502 ')
  })
})
