import { describe, expect, test } from 'bun:test'
import { createRequestParser, createResponseParser } from '../http/h1-parser.ts'
import { BAD_RESPONSE, MessageReader, NEED_MORE } from './message-reader.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Feeds `text` in pieces of `step` bytes; returns [status, bytes of the message, leftover]. */
function read(kind: 'request' | 'response', text: string, step: number, close = false): { status: number; bytes: number; rest: string; error?: string } {
  const r = new MessageReader(kind)
  const all = enc(text)
  for (let i = 0; i < all.length; i += step) {
    const piece = all.subarray(i, Math.min(all.length, i + step))
    const end = r.feed(piece)
    if (end === BAD_RESPONSE) return { status: -1, bytes: 0, rest: '', error: r.error! }
    if (end !== NEED_MORE) {
      const rest = new TextDecoder().decode(piece.subarray(end)) + new TextDecoder().decode(all.subarray(i + step))
      return { status: r.head.status, bytes: r.bytes, rest }
    }
  }
  if (close && r.endsAtClose) return { status: r.head.status, bytes: r.bytes, rest: '' }
  return { status: 0, bytes: r.bytes, rest: 'NEED_MORE' }
}

const everyStep = (fn: (step: number) => void): void => { for (const step of [1, 2, 3, 7, 64, 10_000]) fn(step) }

describe('MessageReader reads responses in any split', () => {
  test('Content-Length, and what follows is left over', () => {
    const msg = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello'
    everyStep((step) => expect(read('response', msg + 'NEXT', step)).toEqual({ status: 200, bytes: msg.length, rest: 'NEXT' }))
  })

  test('chunked, with extensions and trailers', () => {
    const msg = 'HTTP/1.1 201 Created\r\ntransfer-encoding: gzip, Chunked\r\n\r\n5;x=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n'
    everyStep((step) => expect(read('response', msg + 'N', step)).toEqual({ status: 201, bytes: msg.length, rest: 'N' }))
  })

  test('interim 100 Continue, then the response', () => {
    const msg = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n'
    everyStep((step) => expect(read('response', msg, step).status).toBe(204))
  })

  test('no framing: the body ends at the close', () => {
    everyStep((step) => expect(read('response', 'HTTP/1.0 200 OK\r\n\r\nabc', step, true)).toEqual({ status: 200, bytes: 22, rest: '' }))
  })

  test('broken messages are refused with a reason', () => {
    expect(read('response', 'HTTX/1.1 200 OK\r\n\r\n', 100).error).toBe('bad status line')
    expect(read('response', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n', 100).error).toBe('bad Content-Length')
    expect(read('response', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 100).error).toBe('conflicting Content-Length')
    expect(read('response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 100).error).toBe('invalid chunk size')
  })
})

describe('MessageReader reads requests', () => {
  test('without a body, with a body, chunked', () => {
    everyStep((step) => {
      expect(read('request', 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET', step).rest).toBe('GET')
      expect(read('request', 'POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET', step).rest).toBe('GET')
      expect(read('request', 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET', step).rest).toBe('GET')
    })
  })

  test('the method, target, version and Connection are read', () => {
    const r = new MessageReader('request')
    expect(r.feed(enc('HEAD /a?s=1k HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n'))).toBeGreaterThan(0)
    expect([r.head.method, r.head.target, r.head.version, r.head.connKeepAlive, r.head.connClose]).toEqual(['HEAD', '/a?s=1k', 10, true, false])
  })
})

describe('the fast scan agrees with the project parser (src/http/h1-parser.ts)', () => {
  const limits = { maxHead: 16384, maxHeaders: 101 }
  const responses = [
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
    'HTTP/1.1 404 Not Found\r\nServer: nginx\r\nContent-Type: text/plain\r\ncontent-length: 0\r\nConnection: keep-alive\r\n\r\n',
    'HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: Keep-Alive, Upgrade\r\n\r\n',
  ]
  for (const text of responses) {
    test(JSON.stringify(text.split('\r\n')[0]), () => {
      const p = createResponseParser(limits).parse(enc(text), text.length)
      if (p.kind !== 'done') throw new Error(`project parser: ${p.kind}`)
      const r = new MessageReader('response')
      r.feed(enc(text))
      const h = r.head
      expect([h.status, h.version, h.size, h.chunked, h.contentLength, h.connClose]).toEqual([
        p.head.status, p.head.version, p.head.size, p.head.framing === 'chunked', p.head.framing === 'length' ? p.head.contentLength : -1, p.head.connClose,
      ])
    })
  }
  test('a request', () => {
    const text = 'POST /a?b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n'
    const p = createRequestParser(limits).parse(enc(text), text.length)
    if (p.kind !== 'done') throw new Error(`project parser: ${p.kind}`)
    const r = new MessageReader('request')
    r.feed(enc(text + 'abc'))
    expect([r.head.method, r.head.target, r.head.size, r.head.contentLength]).toEqual([p.head.method, p.head.uri, p.head.size, p.head.contentLength])
  })
})
