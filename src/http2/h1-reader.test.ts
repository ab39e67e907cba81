import { expect, test } from 'bun:test'
import { H1Reader, type AfterHead } from './h1-reader.ts'

function read(parts: string[], after: (status: number) => AfterHead = () => 'body'): string[] {
  const ev: string[] = []
  const r = new H1Reader('response', {
    onHead: (h) => { ev.push(`head ${h.status}`); return after(h.status) },
    onBody: (c) => { ev.push(`body ${Buffer.from(c).toString()}`) },
    onEnd: (t) => { ev.push(`end ${JSON.stringify(t)}`) },
    onError: (why) => { ev.push(`error ${why}`) },
  })
  for (const p of parts) r.feed(Buffer.from(p, 'latin1'))
  return ev
}

test('a chunked body is decoded across reads, with its trailers', () => {
  expect(read(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab', 'c\r\n2;ext=1\r\nde\r', '\n0\r\ngrpc-status: 0\r\n', '\r\n'])).toEqual([
    'head 200', 'body ab', 'body c', 'body de', 'end ["grpc-status: 0"]',
  ])
})

test('Content-Length, a 1xx before the final head, a bodyless answer, and a tunnel', () => {
  expect(read(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab', 'cd'], (s) => (s < 200 ? 'next' : 'body'))).toEqual(['head 100', 'head 200', 'body ab', 'body cd', 'end null'])
  expect(read(['HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n'], () => 'none')).toEqual(['head 200', 'end null'])
  expect(read(['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nxyz'], () => 'tunnel')).toEqual(['head 101', 'body xyz'])
  expect(read(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'])).toEqual(['head 200', 'error bad chunk size'])
})

test('a head split across reads, while another reader parses heads of its own in between', () => {
  const ev: string[] = []
  const mk = (tag: string) => new H1Reader('response', {
    onHead: (h) => { ev.push(`${tag} head ${h.status} ${h.headers.get('x-a')}`); return 'body' },
    onBody: (c) => { ev.push(`${tag} body ${Buffer.from(c).toString()}`) },
    onEnd: () => { ev.push(`${tag} end`) },
    onError: (why) => { ev.push(`${tag} error ${why}`) },
  })
  const a = mk('a')
  const b = mk('b')
  a.feed(Buffer.from('HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Le', 'latin1'))
  b.feed(Buffer.from('HTTP/1.1 404 Not Found\r\nX-A: 2\r\nContent-Length: 1\r\n\r\nz', 'latin1'))
  a.feed(Buffer.from('ngth: 2\r\n\r\nok', 'latin1'))
  expect(ev).toEqual(['b head 404 2', 'b body z', 'b end', 'a head 200 1', 'a body ok', 'a end'])
})
