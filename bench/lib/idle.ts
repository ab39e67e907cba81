/**
 * Holds N idle TCP connections open to HOST:PORT (nothing is sent): for "RSS per 10,000 idle
 * connections". Connects `batch` at a time, prints `ready N` (connections open) once all are up,
 * then holds them until SIGTERM. Connections the peer closes are counted and reported.
 *   bun bench/lib/idle.ts HOST PORT COUNT [BATCH]
 */
export {}

const [host, portText, countText, batchText] = process.argv.slice(2)
const port = Number(portText)
const count = Number(countText)
const batch = Number(batchText ?? 500)
if (!host || !port || !count) {
  console.error('usage: idle.ts HOST PORT COUNT [BATCH]')
  process.exit(2)
}
let open = 0
let closed = 0
let failed = 0
const socks: { end(): void }[] = []
const handlers = {
  data() {},
  close() { closed++ },
  connectError() { failed++ },
}
for (let i = 0; i < count; i += batch) {
  const n = Math.min(batch, count - i)
  const ps: Promise<unknown>[] = []
  for (let k = 0; k < n; k++) {
    ps.push(Bun.connect({ hostname: host, port, socket: handlers }).then((s) => { open++; socks.push(s) }, () => {}))
  }
  await Promise.all(ps)
}
console.log(`ready ${open - closed} (failed ${failed}, closed by the peer ${closed})`)
process.on('SIGTERM', () => { for (const s of socks) s.end(); process.exit(0) })
setInterval(() => {}, 1 << 30)
