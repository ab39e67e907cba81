/**
 * The origin of bench/slow-clients.ts, on raw sockets so that it never buffers: `GET /10m`
 * answers a 10 MB body written as fast as the connection takes it; any request with a
 * Content-Length (an upload) has its body read and dropped, then `200` with the byte count.
 *   bun bench/lib/bulk-origin.ts PORT
 */
const port = Number(process.argv[2])
const BIG = 10_000_000
const block = Buffer.alloc(1 << 20, 120)

interface Conn { head: string; left: number; sent: number; sending: boolean }

function pump(s: { write(b: Uint8Array): number; data: Conn }): void {
  const c = s.data
  while (c.sent < BIG) {
    const n = s.write(block.subarray(0, Math.min(block.length, BIG - c.sent)))
    if (n <= 0) return
    c.sent += n
    if (n < Math.min(block.length, BIG - c.sent + n)) return
  }
  c.sending = false
}

const server = Bun.listen<Conn>({
  hostname: '127.0.0.1',
  port,
  socket: {
    binaryType: 'buffer',
    open(s) { s.data = { head: '', left: 0, sent: 0, sending: false } },
    data(s, chunk) {
      const c = s.data
      let buf = chunk
      for (;;) {
        if (c.left > 0) {
          const n = Math.min(c.left, buf.length)
          c.left -= n
          buf = buf.subarray(n)
          if (c.left === 0) s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n')
          if (buf.length === 0) return
          continue
        }
        c.head += buf.toString('latin1')
        const end = c.head.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = c.head.slice(0, end)
        const rest = Buffer.from(c.head.slice(end + 4), 'latin1')
        c.head = ''
        const cl = /\r\ncontent-length: *(\d+)/i.exec(head)
        if (cl !== null && Number(cl[1]) > 0) {
          c.left = Number(cl[1])
          buf = rest
          if (buf.length === 0) return
          continue
        }
        if (head.startsWith('GET /10m ')) {
          s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG}\r\n\r\n`)
          c.sent = 0
          c.sending = true
          pump(s)
        } else s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n')
        return
      }
    },
    drain(s) { if (s.data.sending) pump(s) },
    close() {},
  },
})
process.on('SIGTERM', () => { server.stop(true); process.exit(0) })
process.stderr.write(`bulk origin listening on 127.0.0.1:${server.port}\n`)
export {}
