import { describe, expect, test } from 'bun:test'
import { createChunkedScanner } from './chunked.ts'

function bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i)
  return b
}

/** Scans `body` in one piece: [returned index, done, error]. */
function scanAll(body: string): [number, boolean, string | undefined] {
  const s = createChunkedScanner()
  const r = s.scan(bytes(body), 0, body.length)
  return [r, s.done, s.error]
}

/** Scans `body` one byte at a time; returns where the body ended (or -1) as a whole-buffer index. */
function scanBytewise(body: string): [number, boolean, string | undefined] {
  const s = createChunkedScanner()
  const b = bytes(body)
  for (let i = 0; i < b.length; i++) {
    const r = s.scan(b, i, i + 1)
    if (r < 0) return [-1, s.done, s.error]
    if (s.done) return [r, true, undefined]
  }
  return [b.length, s.done, s.error]
}

const BODY = '5\r\nhello\r\n1A;name=value; x="a b"\r\n' + 'z'.repeat(26) + '\r\n0\r\nTrailer-One: 1\r\n\r\n'

describe('chunked scanner', () => {
  test('a body with extensions and trailers ends exactly at its last CRLF', () => {
    expect(scanAll(BODY + 'GET / HTTP/1.1')).toEqual([BODY.length, true, undefined])
  })

  test('byte by byte gives the same end', () => {
    expect(scanBytewise(BODY + 'NEXT')).toEqual([BODY.length, true, undefined])
  })

  test('every two-piece cut gives the same end', () => {
    const b = bytes(BODY + 'NEXT')
    for (let cut = 0; cut <= b.length; cut++) {
      const s = createChunkedScanner()
      let r = s.scan(b, 0, cut)
      if (!s.done) {
        expect(r).toBe(cut)
        r = s.scan(b, cut, b.length)
      }
      expect([r, s.done]).toEqual([BODY.length, true])
    }
  })

  test('the last chunk alone, hex in both cases, leading zeros; a bare LF ends no line', () => {
    expect(scanAll('0\r\n\r\n')).toEqual([5, true, undefined])
    expect(scanAll('a\r\n0123456789\r\nB\r\n0123456789a\r\n0\r\n\r\n')[1]).toBe(true)
    expect(scanAll('3\nabc\n0\n\n')).toEqual([-1, false, 'bare LF in chunk size line'])
    expect(scanAll('0003\r\nabc\r\n0\r\n\r\n')[1]).toBe(true)
    expect(scanAll('3 ;ext\r\nabc\r\n0\r\n\r\n')[1]).toBe(true)
  })

  test('while the body goes on, scan consumes the whole range', () => {
    const s = createChunkedScanner()
    const b = bytes('100\r\n' + 'x'.repeat(100))
    expect(s.scan(b, 0, b.length)).toBe(b.length)
    expect(s.done).toBe(false)
  })

  test('after done, scan consumes nothing until reset', () => {
    const s = createChunkedScanner()
    const b = bytes('0\r\n\r\n0\r\n\r\n')
    expect(s.scan(b, 0, b.length)).toBe(5)
    expect(s.scan(b, 5, b.length)).toBe(5)
    s.reset()
    expect(s.scan(b, 5, b.length)).toBe(10)
  })

  test('framing errors', () => {
    const err = (body: string): string | undefined => {
      const r = scanAll(body)
      expect(r[0]).toBe(-1)
      return r[2]
    }
    expect(err('\r\n')).toBe('invalid chunk size')
    expect(err('g\r\n')).toBe('invalid chunk size')
    expect(err('-1\r\n')).toBe('invalid chunk size')
    expect(err('+1\r\n')).toBe('invalid chunk size')
    expect(err('0x5\r\n')).toBe('invalid chunk size')
    expect(err('1000000000000000\r\n')).toBe('chunk size too large')
    expect(err('fffffffffffffff\r\n')).toBe('chunk size too large')
    expect(err('5 \r\nhello\r\n')).toBe('whitespace after chunk size')
    expect(err('5\rhello\r\n')).toBe('bare CR in chunk size line')
    expect(err('5;a\x00b\r\nhello\r\n')).toBe('invalid character in chunk extension')
    expect(err('5;a\rb\r\nhello\r\n')).toBe('bare CR in chunk size line')
    expect(err('5\r\nhelloX\r\n')).toBe('missing CRLF after chunk data')
    expect(err('5\r\nhello\rX')).toBe('missing CRLF after chunk data')
    expect(err('0\r\nX : 1\r\n\r\n')).toBe('whitespace before colon in trailer name')
    expect(err('0\r\nX: 1\r\n folded\r\n\r\n')).toBe('obsolete line folding in trailers')
    expect(err('0\r\nX: \x01\r\n\r\n')).toBe('invalid character in trailer value')
    expect(err('0\r\nNoColon\r\n\r\n')).toBe('trailer line without colon')
    expect(err('0\r\n\rX')).toBe('bare CR in trailers')
  })

  test('a size of MAX_SAFE_INTEGER is accepted, one more is not', () => {
    const s = createChunkedScanner()
    const b = bytes('1fffffffffffff\r\n')
    expect(s.scan(b, 0, b.length)).toBe(b.length)
    expect(scanAll('20000000000000\r\n')[2]).toBe('chunk size too large')
  })

  test('trailers and extensions are bounded', () => {
    const s = createChunkedScanner({ maxTrailers: 32 })
    const b = bytes('0\r\nX: ' + 'a'.repeat(100))
    expect(s.scan(b, 0, b.length)).toBe(-1)
    expect(s.error).toBe('trailer section too large')
    expect(scanAll('1;' + 'e'.repeat(5000))[2]).toBe('chunk extensions too long')
  })
})

/** Scans `body` cut at `cuts` with output `mode`; the output of every scan, joined (latin1). */
function output(body: string, mode: 'canonical' | 'data', cuts: number[] = []): [string, boolean, string | undefined] {
  const s = createChunkedScanner()
  s.reset(mode)
  const b = bytes(body)
  let out = ''
  let at = 0
  for (const to of [...cuts, b.length]) {
    const r = s.scan(b, at, to)
    if (r < 0) return [out, false, s.error]
    for (const piece of s.out) out += Buffer.from(piece).toString('latin1')
    if (s.done) return [out, true, undefined]
    at = to
  }
  return [out, false, undefined]
}

describe('chunked re-encoding', () => {
  const CANONICAL = '5\r\nhello\r\n1a\r\n' + 'z'.repeat(26) + '\r\n0\r\nTrailer-One: 1\r\n\r\n'

  test('a canonical body is output as the very bytes received, in one piece', () => {
    const s = createChunkedScanner()
    s.reset('canonical')
    const b = bytes(CANONICAL + 'NEXT')
    expect(s.scan(b, 0, b.length)).toBe(CANONICAL.length)
    expect(s.out.length).toBe(1)
    expect(s.out[0]!.buffer).toBe(b.buffer)
    expect([s.out[0]!.byteOffset, s.out[0]!.length]).toEqual([0, CANONICAL.length])
  })

  test('sizes without leading zeros, in hex; extensions and whitespace dropped; trailers kept', () => {
    const body = '0005;a=b\r\nhello\r\n1A ; x="a \\" b" ;y\r\n' + 'z'.repeat(26) + '\r\n000;last\r\nTrailer-One: 1\r\n\r\n'
    expect(output(body, 'canonical')).toEqual([CANONICAL, true, undefined])
  })

  test('cut anywhere, in two pieces or byte by byte, the output is the same', () => {
    const body = '0005;a=b\r\nhello\r\n1A ; x="a \\" b" ;y\r\n' + 'z'.repeat(26) + '\r\n0\r\nTrailer-One: 1\r\n\r\n'
    for (const b of [body, CANONICAL]) {
      for (let cut = 0; cut <= b.length; cut++) expect(output(b, 'canonical', [cut])).toEqual([CANONICAL, true, undefined])
      expect(output(b, 'canonical', Array.from({ length: b.length }, (_, i) => i))).toEqual([CANONICAL, true, undefined])
      for (let cut = 0; cut <= b.length; cut++) expect(output(b, 'data', [cut])).toEqual(['hello' + 'z'.repeat(26), true, undefined])
    }
  })

  test('data output is the chunks\' data alone', () => {
    expect(output('5\r\nhello\r\n3;x=1\r\nabc\r\n0\r\nT: 1\r\n\r\n', 'data')).toEqual(['helloabc', true, undefined])
  })

  test('ambiguous framing is an error, and nothing of the scan that found it is output', () => {
    const cases: [string, string][] = [
      ['5\nhello\n0\n\n', 'bare LF in chunk size line'],
      ['5\r\nhello\n0\r\n\r\n', 'missing CRLF after chunk data'],
      ['5;a=b c;"unterminated\r\nhello\r\n0\r\n\r\n', 'invalid character in chunk extension'],
      ['5;"q"\r\nhello\r\n0\r\n\r\n', 'invalid character in chunk extension'],
      ['5;a="open\r\nhello\r\n0\r\n\r\n', 'invalid character in chunk extension'],
      ['5;\r\nhello\r\n0\r\n\r\n', 'invalid character in chunk extension'],
      ['5;a=\r\nhello\r\n0\r\n\r\n', 'invalid character in chunk extension'],
      ['5\r\nhello\r\n0\r\n\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n', 'bare LF in trailers'],
      ['5\r\nhello\r\n0\r\nX: 1\nGET /smuggled HTTP/1.1\r\n\r\n', 'bare LF in trailers'],
    ]
    for (const [body, reason] of cases) expect(output(body, 'canonical')).toEqual(['', false, reason])
  })

  test('a line split across scans is output once it is whole and valid', () => {
    const s = createChunkedScanner()
    s.reset('canonical')
    const b = bytes('5\r\nhello\r\n1')
    expect(s.scan(b, 0, b.length)).toBe(b.length)
    expect(s.out.map((x) => Buffer.from(x).toString('latin1'))).toEqual(['5\r\nhello\r\n'])
    const c = bytes('0\nxxxx')
    expect(s.scan(c, 0, c.length)).toBe(-1)
    expect(s.out).toEqual([])
  })
})
