/**
 * The fallback HTTP backend when nginx is not installed: GET /hello answers "hello\n", GET /1m a
 * 1 MiB body, anything else 404. Keep-alive as Bun.serve does it; `Connection: close` honoured.
 *   bun bench/lib/backend.ts PORT
 */
const port = Number(process.argv[2])
const hello = new TextEncoder().encode('hello\n')
const big = new Uint8Array(1024 * 1024).fill(120)
const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  fetch(req) {
    const path = new URL(req.url).pathname
    if (path === '/hello') return new Response(hello, { headers: { 'content-type': 'text/plain' } })
    if (path === '/1m') return new Response(big, { headers: { 'content-type': 'application/octet-stream' } })
    return new Response('not found\n', { status: 404 })
  },
})
process.on('SIGTERM', () => { server.stop(true); process.exit(0) })
process.stderr.write(`bench backend listening on 127.0.0.1:${server.port}\n`)
