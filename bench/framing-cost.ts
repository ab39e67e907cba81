/**
 * Instructions the chunked framing costs per message, counted by valgrind's callgrind (the same
 * count on a quiet or a busy machine): the scanner of src/http/chunked.ts over a body of 4 chunks
 * of 1 KiB received in two reads, as a session forwards it (canonical output where the checkout
 * has it: the pieces are then joined or written as they are, as `writePieces` does), against a
 * Content-Length body of 4 KiB (a length count and one subarray).
 *
 *   ./node_modules/.bin/bun bench/framing-cost.ts [--messages N] [--workloads length,chunked,chunked-ext] [--edgelb CHECKOUT]...
 *
 * Each workload runs under callgrind twice, with N/4 and N messages (default 80,000); the
 * difference over 3N/4 is the figure per message (start-up and the JIT's compiling of the loop
 * are in both runs, and cancel out). Why not the whole proxy under callgrind: Bun's
 * event loop waits with epoll_pwait2, which valgrind 3.19 does not know (syscall 441), so edgelb
 * never gets to listen under it; this measures the code the change is in, synchronously.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const args = process.argv.slice(2)
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

const KIB = 'x'.repeat(1024)
const BODIES: Record<string, string> = {
  chunked: `400\r\n${KIB}\r\n`.repeat(4) + '0\r\n\r\n',
  'chunked-ext': `0400;a=b\r\n${KIB}\r\n`.repeat(4) + '0\r\n\r\n',
}

interface Scanner { out?: Uint8Array[]; reset(o?: string): void; scan(b: Uint8Array, s: number, e: number): number }

/** The inner run (under valgrind): `n` messages of workload `kind` through the checkout `root`. */
async function inner(root: string, kind: string, n: number): Promise<void> {
  const { createChunkedScanner } = (await import(join(root, 'src/http/chunked.ts'))) as { createChunkedScanner: () => Scanner }
  const sink: Uint8Array[] = []
  let written = 0
  const write = (b: Uint8Array): void => { written += b.length; if (sink.length < 4) sink.push(b) }
  if (kind === 'length') {
    const body = Buffer.from(KIB.repeat(4))
    for (let i = 0; i < n; i++) {
      // Two reads, each forwarded as received up to the remaining length.
      let remain = body.length
      for (const part of [body.subarray(0, 2000), body.subarray(2000)]) {
        const take = Math.min(remain, part.length)
        remain -= take
        write(take === part.length ? part : part.subarray(0, take))
      }
    }
  } else {
    const body = Buffer.from(BODIES[kind]!, 'latin1')
    const parts = [body.subarray(0, 2000), body.subarray(2000)]
    const sc = createChunkedScanner()
    for (let i = 0; i < n; i++) {
      sc.reset('canonical')
      for (const part of parts) {
        const end = sc.scan(part, 0, part.length)
        if (end < 0) throw new Error('framing error')
        const out = sc.out
        if (out === undefined) write(end === part.length ? part : part.subarray(0, end))
        else if (out.length === 1) write(out[0]!)
        else if (out.length > 1) {
          let total = 0
          for (const o of out) total += o.length
          if (total <= 2048) write(Buffer.concat(out, total))
          else for (const o of out) write(o)
        }
      }
    }
  }
  if (written === 0 && n > 0) throw new Error('nothing written')
}

function count(root: string, kind: string, n: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'framing-cost-'))
  const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'cg.%p')}`, process.execPath, import.meta.path, '--inner', kind, '--n', String(n), '--root', root], { encoding: 'latin1' })
  let total = 0
  for (const f of readdirSync(dir)) {
    const m = /^summary: (\d+)/m.exec(readFileSync(join(dir, f), 'latin1'))
    if (m) total += Number(m[1])
  }
  rmSync(dir, { recursive: true, force: true })
  if (r.status !== 0 || total === 0) throw new Error(`callgrind run failed:\n${r.stderr.slice(-2000)}`)
  return total
}

if (arg('--inner') !== undefined) {
  await inner(arg('--root')!, arg('--inner')!, Number(arg('--n')))
} else {
  const n = Number(arg('--messages') ?? 80_000)
  const roots = args.flatMap((a, i) => (a === '--edgelb' ? [resolve(args[i + 1]!)] : []))
  if (roots.length === 0) roots.push(resolve(import.meta.dir, '..'))
  for (const root of roots) {
    for (const kind of (arg('--workloads') ?? 'length,chunked,chunked-ext').split(',')) {
      const q = Math.round(n / 4)
      const per = (count(root, kind, n) - count(root, kind, q)) / (n - q)
      console.log(`${root}: ${kind}: ${per.toFixed(0)} instructions per 4 KiB message`)
    }
  }
}
