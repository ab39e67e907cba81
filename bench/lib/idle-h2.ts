/**
 * Holds N idle HTTP/2 connections open to HOST:PORT over TLS (ALPN h2): each completes its
 * handshake and the SETTINGS exchange, then sends nothing. Prints `ready N` once all are up,
 * holds them until SIGTERM. For "memory per idle h2 connection" (bench/h2.ts).
 *   bun bench/lib/idle-h2.ts HOST PORT COUNT [BATCH]
 */
import http2 from 'node:http2'

const [host, portText, countText, batchText] = process.argv.slice(2)
const port = Number(portText)
const count = Number(countText)
const batch = Number(batchText ?? 100)
if (!host || !port || !count) {
  console.error('usage: idle-h2.ts HOST PORT COUNT [BATCH]')
  process.exit(2)
}
let open = 0
let closed = 0
let failed = 0
const sessions: http2.ClientHttp2Session[] = []
for (let i = 0; i < count; i += batch) {
  const n = Math.min(batch, count - i)
  const ps: Promise<void>[] = []
  for (let k = 0; k < n; k++) {
    ps.push(new Promise<void>((resolve) => {
      const s = http2.connect(`https://${host}:${port}`, { rejectUnauthorized: false, servername: 'bench.test' })
      s.once('remoteSettings', () => { open++; sessions.push(s); resolve() })
      s.once('error', () => { failed++; resolve() })
      s.once('close', () => { closed++ })
    }))
  }
  await Promise.all(ps)
}
console.log(`ready ${open - closed} (failed ${failed}, closed by the peer ${closed})`)
process.on('SIGTERM', () => { for (const s of sessions) s.destroy(); process.exit(0) })
setInterval(() => {}, 1 << 30)
