/**
 * Holds N idle TLS connections open to HOST:PORT: each completes its handshake, then sends
 * nothing. Prints `ready N` once all are up, holds them until SIGTERM. For "memory per idle TLS
 * connection" (bench/tls.ts).
 *   bun bench/lib/idle-tls.ts HOST PORT COUNT [BATCH]
 */
export {}

const [host, portText, countText, batchText] = process.argv.slice(2)
const port = Number(portText)
const count = Number(countText)
const batch = Number(batchText ?? 200)
if (!host || !port || !count) {
  console.error('usage: idle-tls.ts HOST PORT COUNT [BATCH]')
  process.exit(2)
}
let open = 0
let closed = 0
let failed = 0
const socks: { end(): void }[] = []
for (let i = 0; i < count; i += batch) {
  const n = Math.min(batch, count - i)
  const ps: Promise<unknown>[] = []
  for (let k = 0; k < n; k++) {
    ps.push(new Promise<void>((resolve) => {
      Bun.connect({
        hostname: host,
        port,
        tls: { rejectUnauthorized: false, serverName: 'bench.test' },
        socket: {
          handshake(s, ok) { if (ok || s.getTLSVersion()) { open++; socks.push(s) } else failed++; resolve() },
          data() {},
          close() { closed++ },
          connectError() { failed++; resolve() },
        },
      }).catch(() => resolve())
    }))
  }
  await Promise.all(ps)
}
console.log(`ready ${open - closed} (failed ${failed}, closed by the peer ${closed})`)
process.on('SIGTERM', () => { for (const s of socks) s.end(); process.exit(0) })
setInterval(() => {}, 1 << 30)
