import { describe, expect, test } from 'bun:test'
import { createRequestParser, createResponseParser } from './h1-parser.ts'
import type { H1Head, H1Limits, H1Parser, H1Result } from './types.ts'

const LIMITS: H1Limits = { maxHead: 8192, maxHeaders: 101 }

function bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i)
  return b
}

function text(b: Uint8Array): string {
  let s = ''
  for (const c of b) s += String.fromCharCode(c)
  return s
}

/** Everything a parse result says, as plain data (compared between whole and sliced parses). */
function summary(r: H1Result): unknown {
  if (r.kind !== 'done') return r
  const h = r.head
  const fields: string[][] = []
  for (let i = 0; i < h.headers.count; i++) fields.push([h.headers.name(i), h.headers.value(i)])
  return {
    kind: h.kind, method: h.method, uri: h.uri, status: h.status, reason: h.reason, version: h.version,
    framing: h.framing, contentLength: h.contentLength, connClose: h.connClose, connKeepAlive: h.connKeepAlive,
    connUpgrade: h.connUpgrade, expectContinue: h.expectContinue, mustClose: h.mustClose, size: h.size,
    changed: h.changed, fields, encoded: text(h.encode()),
  }
}

function parseWith(p: H1Parser, msg: string): H1Result {
  const b = bytes(msg)
  return p.parse(b, b.length)
}

function req(msg: string, limits: H1Limits = LIMITS): H1Result {
  return parseWith(createRequestParser(limits), msg)
}

function res(msg: string, limits: H1Limits = LIMITS): H1Result {
  return parseWith(createResponseParser(limits), msg)
}

function head(r: H1Result): H1Head {
  if (r.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(r)}`)
  return r.head
}

/** Feeds `msg` one more byte per call into a buffer whose bytes past `len` are garbage. */
function parseSliced(p: H1Parser, msg: string): H1Result {
  const src = bytes(msg)
  const buf = new Uint8Array(src.length).fill(0x0d)
  for (let len = 0; len <= src.length; len++) {
    if (len > 0) buf[len - 1] = src[len - 1]
    const r = p.parse(buf, len)
    if (r.kind !== 'need-more') return r
  }
  return { kind: 'need-more' }
}

/** Feeds `msg` in two pieces cut at `cut`. */
function parseCut(p: H1Parser, msg: string, cut: number): H1Result {
  const src = bytes(msg)
  const buf = new Uint8Array(src.length)
  buf.set(src.subarray(0, cut))
  const r = p.parse(buf, cut)
  if (r.kind !== 'need-more') return r
  buf.set(src.subarray(cut), cut)
  return p.parse(buf, src.length)
}

function errorOf(r: H1Result): [number, string] {
  if (r.kind !== 'error') throw new Error(`expected an error, got ${r.kind}`)
  return [r.status, r.reason]
}

const BROWSER_GET =
  'GET /search?q=edgelb&lang=en HTTP/1.1\r\n' +
  'Host: www.example.com\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n' +
  'Accept-Language: en-US,en;q=0.5\r\n' +
  'Accept-Encoding: gzip, deflate, br\r\n' +
  'Connection: keep-alive\r\n' +
  'Cookie: session=abc123; theme=dark\r\n' +
  'Upgrade-Insecure-Requests: 1\r\n' +
  '\r\n'

describe('request line', () => {
  test('a browser GET: method, target, version, fields, no body, forwarded as received', () => {
    const h = head(req(BROWSER_GET + 'NEXT'))
    expect(h.kind).toBe('request')
    expect(h.method).toBe('GET')
    expect(h.uri).toBe('/search?q=edgelb&lang=en')
    expect(h.version).toBe(11)
    expect(h.status).toBe(0)
    expect(h.reason).toBe('')
    expect(h.headers.count).toBe(8)
    expect(h.headers.get('host')).toBe('www.example.com')
    expect(h.headers.get('cookie')).toBe('session=abc123; theme=dark')
    expect(h.headers.name(1)).toBe('User-Agent')
    expect(h.framing).toBe('none')
    expect(h.contentLength).toBe(-1)
    expect(h.connKeepAlive).toBe(true)
    expect(h.connClose).toBe(false)
    expect(h.size).toBe(BROWSER_GET.length)
    expect(h.changed).toBe(false)
    expect(text(h.encode())).toBe(BROWSER_GET)
  })

  test('every byte boundary and every two-piece cut give the same result as one piece', () => {
    const msgs = [
      BROWSER_GET,
      'POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n',
      'POST /up HTTP/1.1\nHost: a\nTransfer-Encoding: gzip, chunked\nContent-Length: 9\n\n',
      '\r\n\r\nGET / HTTP/1.0\r\nX:   \t\r\n\r\n',
      'GET / HTTP/1.1\r\nHost : a\r\n\r\n',
    ]
    for (const m of msgs) {
      const whole = summary(req(m))
      expect(summary(parseSliced(createRequestParser(LIMITS), m))).toEqual(whole)
      for (let cut = 0; cut <= m.length; cut++) {
        expect(summary(parseCut(createRequestParser(LIMITS), m, cut))).toEqual(whole)
      }
    }
  })

  test('one parser serves message after message with reset()', () => {
    const p = createRequestParser(LIMITS)
    expect(head(parseWith(p, 'GET /a HTTP/1.1\r\nHost: a\r\n\r\n')).uri).toBe('/a')
    p.reset()
    expect(head(parseSliced(p, 'PUT /b HTTP/1.0\r\n\r\n')).method).toBe('PUT')
    p.reset()
    expect(errorOf(parseWith(p, 'GET /c\r\n\r\n'))[0]).toBe(400)
    p.reset()
    expect(head(parseWith(p, 'GET /d HTTP/1.1\r\nHost: a\r\n\r\n')).uri).toBe('/d')
  })

  test('a message with more fields than the one before it is read whole, cut anywhere', () => {
    const p = createRequestParser(LIMITS)
    expect(head(parseWith(p, 'GET /a HTTP/1.1\r\nHost: a\r\n\r\n')).headers.count).toBe(1)
    const many = Array.from({ length: 60 }, (_, i) => [`X-F${i}`, `v${i}`])
    const msg = `GET /b HTTP/1.1\r\nHost: b\r\n${many.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`
    p.reset()
    const h = head(parseWith(p, msg))
    expect(h.headers.count).toBe(61)
    for (let i = 0; i < 60; i++) expect([h.headers.name(i + 1), h.headers.value(i + 1)]).toEqual(many[i]!)
    for (const cut of [5, 40, msg.length >> 1, msg.length - 3]) {
      p.reset()
      expect(head(parseWith(p, 'GET /c HTTP/1.1\r\nHost: c\r\n\r\n')).headers.count).toBe(1)
      p.reset()
      expect(summary(parseCut(p, msg, cut))).toEqual(summary(parseWith(createRequestParser(LIMITS), msg)))
    }
  })

  test('a head keeps reading its own bytes after the parser moved on', () => {
    const p = createRequestParser(LIMITS)
    const first = head(parseWith(p, 'GET /first HTTP/1.1\r\nHost: one\r\n\r\n'))
    p.reset()
    head(parseWith(p, 'GET /second HTTP/1.1\r\nHost: two\r\nX: y\r\n\r\n'))
    expect(first.uri).toBe('/first')
    expect(first.headers.get('host')).toBe('one')
    expect(first.headers.count).toBe(1)
  })

  test('leading empty lines are skipped and not forwarded', () => {
    const h = head(req('\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n'))
    expect(h.size).toBe(30)
    expect(text(h.encode())).toBe('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  })

  test('HTTP/1.0 defaults to close; keep-alive keeps it open; HTTP/1.x later minor reads as 1.1', () => {
    expect(head(req('GET / HTTP/1.0\r\n\r\n')).connClose).toBe(true)
    const ka = head(req('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n'))
    expect([ka.connClose, ka.connKeepAlive, ka.version]).toEqual([false, true, 10])
    expect(head(req('GET / HTTP/1.2\r\nHost: a\r\n\r\n')).version).toBe(11)
  })

  test('refused request lines', () => {
    expect(errorOf(req('GET /\r\n\r\n'))).toEqual([400, 'missing HTTP version (HTTP/0.9 is not supported)'])
    expect(errorOf(req('GET / HTTP/2.0\r\nHost: a\r\n\r\n'))).toEqual([400, 'unsupported HTTP version'])
    expect(errorOf(req('GET / http/1.1\r\nHost: a\r\n\r\n'))).toEqual([400, 'unsupported HTTP version'])
    expect(errorOf(req('GET / HTTP/1.1 \r\nHost: a\r\n\r\n'))).toEqual([400, 'invalid character after HTTP version'])
    expect(errorOf(req('GET  / HTTP/1.1\r\nHost: a\r\n\r\n'))).toEqual([400, 'empty request target'])
    expect(errorOf(req(' GET / HTTP/1.1\r\n\r\n'))).toEqual([400, 'invalid character at the start of the request line'])
    expect(errorOf(req('G(T / HTTP/1.1\r\n\r\n'))).toEqual([400, 'invalid character in method'])
    expect(errorOf(req('GET /a\x7fb HTTP/1.1\r\n\r\n'))).toEqual([400, 'invalid character in request target'])
    expect(errorOf(req('GET /caf\xe9 HTTP/1.1\r\n\r\n'))).toEqual([400, 'invalid character in request target'])
    expect(errorOf(req('GET /a\tb HTTP/1.1\r\n\r\n'))).toEqual([400, 'invalid character in request target'])
    expect(errorOf(req('GET / HTTP/1.1\rHost: a\r\n\r\n'))).toEqual([400, 'bare CR'])
    expect(errorOf(req('\rGET / HTTP/1.1\r\n\r\n'))).toEqual([400, 'bare CR before the start line'])
    const e = req('GET /\x00 HTTP/1.1\r\n\r\n')
    expect(e.kind === 'error' && e.pos).toBe(5)
  })
})

describe('header fields', () => {
  test('values are trimmed of OWS; obs-text and inner whitespace are kept; empty values allowed', () => {
    const h = head(req('GET / HTTP/1.1\r\nHost: a\r\nX-A: \t one  two \t\r\nX-B:\r\nX-C: caf\xe9\r\n\r\n'))
    expect(h.headers.get('x-a')).toBe('one  two')
    expect(h.headers.get('x-b')).toBe('')
    expect(h.headers.get('x-c')).toBe('caf\xe9')
  })

  test('refused field lines', () => {
    expect(errorOf(req('GET / HTTP/1.1\r\nHost : a\r\n\r\n'))).toEqual([400, 'whitespace before colon in header name'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n'))).toEqual([400, 'obsolete line folding'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n'))).toEqual([400, 'header line without colon'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n'))).toEqual([400, 'invalid character in header name'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\nX\x00Y: 1\r\n\r\n'))).toEqual([400, 'invalid character in header name'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\nX: 1\x002\r\n\r\n'))).toEqual([400, 'NUL in header value'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\nX: 1\x0b2\r\n\r\n'))).toEqual([400, 'invalid character in header value'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\nX: 1\r2\r\n\r\n'))).toEqual([400, 'bare CR'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\n\r\r\n'))).toEqual([400, 'bare CR'])
  })

  test('bare LF line ends are accepted and the head is re-written with CRLFs', () => {
    const h = head(req('GET / HTTP/1.1\nHost: a\nX: 1\n\n'))
    expect(h.size).toBe(29)
    expect(h.changed).toBe(false)
    expect(text(h.encode())).toBe('GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n')
  })

  test('Host: required in HTTP/1.1, at most once', () => {
    expect(errorOf(req('GET / HTTP/1.1\r\n\r\n'))).toEqual([400, 'missing Host field in an HTTP/1.1 request'])
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n'))).toEqual([400, 'more than one Host field'])
    expect(head(req('GET / HTTP/1.0\r\n\r\n')).headers.count).toBe(0)
  })

  test('Connection tokens over all fields, any case; Expect: 100-continue', () => {
    const h = head(req('GET / HTTP/1.1\r\nHost: a\r\nConnection: foo,UPGRADE\r\nconnection: , Close \r\nExpect: 100-Continue\r\n\r\n'))
    expect([h.connClose, h.connKeepAlive, h.connUpgrade, h.expectContinue]).toEqual([true, false, true, true])
    expect(head(req('GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n')).connClose).toBe(false)
    expect(head(req('POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n')).expectContinue).toBe(false)
  })
})

describe('request framing', () => {
  test('Content-Length: one value, or equal values merged into one field', () => {
    const one = head(req('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n'))
    expect([one.framing, one.contentLength, one.changed]).toEqual(['length', 42, false])
    const two = head(req('POST / HTTP/1.1\r\ncontent-length: 007\r\nHost: a\r\nContent-Length: 7, 7\r\n\r\n'))
    expect([two.framing, two.contentLength, two.changed]).toEqual(['length', 7, true])
    expect(text(two.encode())).toBe('POST / HTTP/1.1\r\ncontent-length: 7\r\nHost: a\r\n\r\n')
    const zero = head(req('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n'))
    expect([zero.framing, zero.contentLength]).toEqual(['length', 0])
  })

  test('refused Content-Length values', () => {
    const cl = (v: string): [number, string] => errorOf(req(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${v}\r\n\r\n`))
    expect(cl('')).toEqual([400, 'empty Content-Length'])
    expect(cl('+5')).toEqual([400, 'invalid Content-Length'])
    expect(cl('-1')).toEqual([400, 'invalid Content-Length'])
    expect(cl('0x10')).toEqual([400, 'invalid Content-Length'])
    expect(cl('1 2')).toEqual([400, 'invalid Content-Length'])
    expect(cl('5,')).toEqual([400, 'invalid Content-Length'])
    expect(cl('5, 6')).toEqual([400, 'different Content-Length values'])
    expect(cl('9007199254740992')).toEqual([400, 'Content-Length too large'])
    expect(head(req('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9007199254740991\r\n\r\n')).contentLength).toBe(9007199254740991)
    expect(errorOf(req('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'))).toEqual([
      400,
      'different Content-Length values',
    ])
  })

  test('Transfer-Encoding with chunked last; with Content-Length too, CL is removed and the connection must close', () => {
    const te = head(req('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n'))
    expect([te.framing, te.contentLength, te.mustClose, te.changed]).toEqual(['chunked', -1, false, false])
    const both = head(req('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ntransfer-encoding: CHUNKED\r\n\r\n'))
    expect([both.framing, both.contentLength, both.mustClose, both.changed]).toEqual(['chunked', -1, true, true])
    expect(both.headers.find('content-length', 0)).toBe(-1)
    expect(text(both.encode())).toBe('POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: CHUNKED\r\n\r\n')
    // HTTP/1.0 with Transfer-Encoding: read as chunked, then closed (RFC 9112 §6.1; HAProxy).
    const old = head(req('POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n'))
    expect([old.framing, old.mustClose]).toEqual(['chunked', true])
  })

  test('refused Transfer-Encodings', () => {
    const te = (v: string, version = '1.1'): [number, string] =>
      errorOf(req(`POST / HTTP/${version}\r\nHost: a\r\nTransfer-Encoding: ${v}\r\n\r\n`))
    expect(te('chunked, chunked')).toEqual([400, 'chunked twice in Transfer-Encoding'])
    expect(te('chunked, gzip')).toEqual([400, 'chunked is not the last transfer coding'])
    expect(te('gzip')).toEqual([400, 'Transfer-Encoding without chunked last'])
    expect(te('chunked, identity')).toEqual([400, 'chunked is not the last transfer coding'])
    // Any coding but chunked, even one the server might know, is refused with 422, as HAProxy does.
    expect(te('identity, chunked')).toEqual([422, 'transfer coding other than chunked'])
    expect(te('gzip, chunked')).toEqual([422, 'transfer coding other than chunked'])
    expect(te('xchunked')).toEqual([400, 'Transfer-Encoding without chunked last'])
    expect(te('gzip, chunked, chunked')).toEqual([400, 'chunked twice in Transfer-Encoding'])
    expect(te('chunked;ext=1')).toEqual([400, 'parameters on a transfer coding'])
    expect(te('"chunked"')).toEqual([400, 'invalid Transfer-Encoding'])
    expect(te('')).toEqual([400, 'empty Transfer-Encoding'])
    expect(errorOf(req('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n'))).toEqual([
      400,
      'chunked twice in Transfer-Encoding',
    ])
    expect(errorOf(req('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n'))).toEqual([400, 'obsolete line folding'])
    expect(errorOf(req('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n'))).toEqual([
      400,
      'whitespace before colon in header name',
    ])
  })
})

describe('limits', () => {
  const small: H1Limits = { maxHead: 64, maxHeaders: 3 }

  test('a request line longer than maxHead is 414, found as soon as the limit is reached', () => {
    const p = createRequestParser(small)
    const buf = bytes('GET /' + 'a'.repeat(200))
    expect(p.parse(buf, 63).kind).toBe('need-more')
    expect(errorOf(p.parse(buf, 64))).toEqual([414, 'request line too long'])
  })

  test('a head longer than maxHead is 431 even while a field never ends', () => {
    const p = createRequestParser(small)
    const buf = bytes('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(200))
    expect(p.parse(buf, 40).kind).toBe('need-more')
    expect(errorOf(p.parse(buf, 200))).toEqual([431, 'header section too large'])
  })

  test('a head of exactly maxHead bytes is accepted', () => {
    const m = 'GET / HTTP/1.1\r\nHost: a\r\nX: ' + 'b'.repeat(64 - 32) + '\r\n\r\n'
    expect(m.length).toBe(64)
    expect(head(req(m, small)).size).toBe(64)
    expect(errorOf(req(m.replace('X:', 'XY:'), small))).toEqual([431, 'header section too large'])
  })

  test('more than maxHeaders fields is 400 (as HAProxy answers tune.http.maxhdr); responses get 502', () => {
    expect(head(req('GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n', small)).headers.count).toBe(3)
    expect(errorOf(req('GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n', small))).toEqual([400, 'too many header fields'])
    expect(errorOf(res('HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n', small))).toEqual([502, 'too many header fields'])
  })
})

describe('absolute-form targets', () => {
  test('the authority replaces Host (RFC 9112 §3.2.2), userinfo left out; an equal Host is left as received', () => {
    const h = head(req('GET http://a.example/abs HTTP/1.1\r\nHost: b.example\r\nX: 1\r\n\r\n'))
    expect([h.uri, h.headers.get('host'), h.headers.count]).toEqual(['http://a.example/abs', 'a.example', 2])
    expect(Buffer.from(h.encode()).toString('latin1')).toBe('GET http://a.example/abs HTTP/1.1\r\nHost: a.example\r\nX: 1\r\n\r\n')
    expect(head(req('GET HTTPS://u:p@A.example:8443?q HTTP/1.1\r\nHost: b\r\n\r\n')).headers.get('host')).toBe('A.example:8443')
    expect(head(req('GET http://a.example/ HTTP/1.0\r\n\r\n')).headers.get('host')).toBe('a.example')
    const same = head(req('GET http://a.example/ HTTP/1.1\r\nHost: A.Example\r\n\r\n'))
    expect([same.changed, same.headers.get('host')]).toEqual([false, 'A.Example'])
  })

  test('an empty authority is 400; authority-form and other targets keep their Host', () => {
    expect(errorOf(req('GET http:///x HTTP/1.1\r\nHost: b\r\n\r\n'))).toEqual([400, 'empty authority in an absolute-form target'])
    expect(head(req('CONNECT a.example:443 HTTP/1.1\r\nHost: b\r\n\r\n')).headers.get('host')).toBe('b')
    expect(head(req('OPTIONS * HTTP/1.1\r\nHost: b\r\n\r\n')).headers.get('host')).toBe('b')
  })
})

describe('responses', () => {
  test('status line, reason, framing by length', () => {
    const h = head(res('HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nHello world!'))
    expect([h.kind, h.status, h.reason, h.version, h.framing, h.contentLength, h.method, h.uri]).toEqual([
      'response', 200, 'OK', 11, 'length', 12, '', '',
    ])
  })

  test('reasons: empty, with spaces, missing with its SP', () => {
    expect(head(res('HTTP/1.1 404 Not Found Here\r\n\r\n')).reason).toBe('Not Found Here')
    expect(head(res('HTTP/1.1 200 \r\n\r\n')).reason).toBe('')
    expect(head(res('HTTP/1.1 200\r\n\r\n')).reason).toBe('')
  })

  test('1xx, 204 and 304 have no body whatever they say', () => {
    for (const s of [100, 101, 204, 304]) {
      const h = head(res(`HTTP/1.1 ${s} X\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n`))
      expect([h.framing, h.changed]).toEqual(['none', false])
    }
  })

  test('chunked → chunked (HTTP/1.0 too, then closed); any other coding → 502; neither → eof; TE+CL drops CL', () => {
    expect(head(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')).framing).toBe('chunked')
    const old = head(res('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'))
    expect([old.framing, old.mustClose]).toEqual(['chunked', true])
    for (const te of ['gzip, chunked', 'chunked, gzip', 'br']) {
      expect(errorOf(res(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\n\r\n`))).toEqual([502, 'transfer coding other than chunked'])
    }
    expect(head(res('HTTP/1.1 200 OK\r\n\r\n')).framing).toBe('eof')
    const both = head(res('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'))
    expect([both.framing, both.mustClose, both.headers.count]).toEqual(['chunked', true, 1])
  })

  test('every error is 502', () => {
    expect(errorOf(res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'))).toEqual([502, 'different Content-Length values'])
    expect(errorOf(res('HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n'))).toEqual([502, 'obsolete line folding'])
    expect(errorOf(res('HTTP/1.1 2000 OK\r\n\r\n'))).toEqual([502, 'invalid status code'])
    expect(errorOf(res('HTTP/1.1 20 OK\r\n\r\n'))).toEqual([502, 'invalid status code'])
    expect(errorOf(res('HTTP/1.1 099 OK\r\n\r\n'))).toEqual([502, 'invalid status code'])
    expect(errorOf(res('HTTP/2 200 OK\r\n\r\n'))).toEqual([502, 'unsupported HTTP version'])
    expect(errorOf(res('HTTP/1.1 200 O\x01K\r\n\r\n'))).toEqual([502, 'invalid character in reason phrase'])
    expect(errorOf(res('HTTP/1.1 200 OK\r\nX: \x00\r\n\r\n'))).toEqual([502, 'NUL in header value'])
    expect(errorOf(res('HTTP/1.1 200 OK\r\n' + 'X: y\r\n'.repeat(20), { maxHead: 64, maxHeaders: 100 }))[0]).toBe(502)
  })

  test('slicing a response at every byte gives the same result', () => {
    const m = 'HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
    expect(summary(parseSliced(createResponseParser(LIMITS), m))).toEqual(summary(res(m)))
  })
})
