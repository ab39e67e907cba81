// Which of the runtime's TLS servers edgelb should listen with: the server's CPU per full
// handshake and per MiB sent, for each way Bun offers a TLS server with SNI selection.
//   ./node_modules/.bin/bun bench/tls-runtime.ts [--seconds S] [--mib N]
// Variants, each a fresh server process (ECDSA P-256 certificates for two names, made here with
// the openssl CLI; SNI picks one, as a bind with two crt does):
//   listen   Bun.listen({ tls }) with the `serverName` socket handler choosing the context
//   node     node:tls createServer({ SNICallback }) (Bun's node:tls, on the same native sockets)
// Handshakes: `openssl s_time -new` (a full handshake per connection, no resumption; s_time
// sends no SNI, so the default certificate answers) for S
// seconds; the server's CPU time from /proc before and after. Bytes: one client reads N MiB that
// the server writes in 64 KiB chunks, backpressure respected; server CPU per MiB. No target:
// bench/README.md says what was chosen from these figures.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { installCleanup, killAll, run, spawn, treeCpuSeconds } from './lib/procs.ts'
import { badUsage, scriptOptions } from './lib/script.ts'

const opt = scriptOptions(import.meta.path, { seconds: { type: 'string' }, mib: { type: 'string' }, serve: { type: 'string' }, dir: { type: 'string' } })

/** `--serve VARIANT --dir D`: the server process itself. Prints its port. */
if (opt.serve !== undefined) {
  const dir = opt.dir!
  const pem = (n: string) => ({ cert: readFileSync(join(dir, `${n}.crt`), 'utf8'), key: readFileSync(join(dir, `${n}.key`), 'utf8') })
  const a = pem('a'), b = pem('b')
  const chunk = Buffer.alloc(64 * 1024, 120)
  // The protocol: 'h' → "ok" and close (handshake runs); 'b<N>' → N MiB then close.
  const send = (st: { left: number; write: (c: Buffer) => number; end: () => void }): void => {
    while (st.left > 0) {
      const n = st.write(chunk)
      if (n < chunk.length) { if (n > 0) st.left -= n; return } // short: wait for drain (rest is re-sent whole: the count is what matters)
      st.left -= n
    }
    st.end()
  }
  if (opt.serve === 'listen') {
    const ctxB = tls.createSecureContext(b).context
    const l = Bun.listen({
      hostname: '127.0.0.1', port: 0, tls: { ...a },
      socket: {
        serverName: (_d: unknown, name: string) => (name === 'b.test' ? ctxB : undefined),
        data(s: any, d: Buffer) {
          if (d[0] === 104) { s.write('ok'); s.end(); return }
          const st = (s.data = { left: Number(d.subarray(1).toString()) * 1024 * 1024, write: (c: Buffer) => s.write(c), end: () => s.end() })
          send(st)
        },
        drain(s: any) { if (s.data) send(s.data) },
        close() {}, error() {},
      },
    } as any)
    console.log(l.port)
  } else if (opt.serve === 'node') {
    const ctxB = tls.createSecureContext(b)
    const srv = tls.createServer({ ...a, SNICallback: (name, cb) => cb(null, name === 'b.test' ? ctxB : undefined) }, (s) => {
      s.once('data', (d: Buffer) => {
        if (d[0] === 104) { s.end('ok'); return }
        let left = Number(d.subarray(1).toString()) * 1024 * 1024
        const pump = (): void => {
          while (left > 0) { left -= chunk.length; if (!s.write(chunk)) { s.once('drain', pump); return } }
          s.end()
        }
        pump()
      })
      s.on('error', () => {})
    })
    srv.listen(0, '127.0.0.1', () => console.log((srv.address() as { port: number }).port))
  } else badUsage(import.meta.path, `unknown variant ${opt.serve}`)
} else {
  const seconds = Number(opt.seconds ?? 5)
  const mib = Number(opt.mib ?? 512)
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-tls-runtime-'))
  installCleanup(() => rmSync(dir, { recursive: true, force: true }))
  await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'a.key'), '-out', join(dir, 'a.crt'), '-days', '2', '-subj', '/CN=a.test'])
  await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'b.key'), '-out', join(dir, 'b.crt'), '-days', '2', '-subj', '/CN=b.test'])
  try {
    console.log(`variant   handshakes/s   server CPU µs/handshake   MiB/s   server CPU ms/MiB`)
    for (const variant of ['listen', 'node']) {
      const log = join(dir, `${variant}.log`)
      const child = spawn(variant, [process.execPath, import.meta.path, '--serve', variant, '--dir', dir], log)
      let port = 0
      for (let i = 0; i < 200 && port === 0; i++) { await Bun.sleep(25); port = Number(readFileSync(log, 'utf8').trim().split('\n')[0]) || 0 }
      if (port === 0) throw new Error(`${variant} did not start: ${readFileSync(log, 'utf8')}`)
      // Handshakes: s_time connects, handshakes, closes; -new: never resumes.
      const cpu0 = treeCpuSeconds(child.pid)
      const out = await run(['openssl', 's_time', '-connect', `127.0.0.1:${port}`, '-new', '-time', String(seconds)])
      const cpu1 = treeCpuSeconds(child.pid)
      const conns = Number(/(\d+) connections in [\d.]+s/.exec(out)?.[1] ?? NaN)
      const rate = conns / seconds
      // Bytes.
      const t0 = performance.now()
      const c0 = treeCpuSeconds(child.pid)
      await new Promise<void>((resolve, reject) => {
        let got = 0
        const c = tls.connect({ host: '127.0.0.1', port, servername: 'b.test', rejectUnauthorized: false }, () => c.write(`b${mib}`))
        c.on('data', (d: Buffer) => { got += d.length })
        c.on('end', () => { c.destroy(); got >= mib * 1024 * 1024 ? resolve() : reject(new Error(`short read: ${got}`)) })
        c.on('error', reject)
      })
      const c1 = treeCpuSeconds(child.pid)
      const secs = (performance.now() - t0) / 1000
      console.log(`${variant.padEnd(9)} ${rate.toFixed(0).padStart(12)}   ${((cpu1 - cpu0) / conns * 1e6).toFixed(0).padStart(23)}   ${(mib / secs).toFixed(0).padStart(5)}   ${((c1 - c0) / mib * 1000).toFixed(2).padStart(17)}`)
      child.proc.kill('SIGTERM')
      await child.proc.exited
    }
  } finally {
    await killAll()
    rmSync(dir, { recursive: true, force: true })
  }
}
