/**
 * A listening socket handed over by the parent (`bind fd@N`, as systemd's socket activation and
 * HAProxy's test harness do) survives edgelb's start-up and serves: the start-up re-execution that
 * sets the runtime's collection timer would close it, so edgelb then keeps its process and says so.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, ROOT, within } from '../support/harness.ts'

const DIR = mkdtempSync(join(tmpdir(), 'edgelb-fd-'))
afterAll(() => rmSync(DIR, { recursive: true, force: true }))

/** Python binds a listening socket, makes it fd 3 and execs edgelb with it (no other way to hand
 *  a descriptor to a child from here). Prints the port first. */
const HANDOVER = `
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
os.execv(sys.argv[1], sys.argv[1:])
`

test('bind fd@3: the inherited socket serves, though the environment did not set the collection timer', async () => {
  const file = join(DIR, 'fd.cfg')
  writeFileSync(file, `defaults\n  mode http\n  timeout connect 5s\n  timeout client 5s\n  timeout server 5s\nfrontend web\n  bind fd@3\n  http-request return status 200 content-type text/plain string "via fd 3"\n`)
  const env: Record<string, string> = { ...process.env as Record<string, string> }
  delete env.BUN_GC_TIMER_INTERVAL
  delete env.BUN_GC_TIMER_DISABLE
  const proc = Bun.spawn(['python3', '-c', HANDOVER, BUN, join(ROOT, 'src', 'main.ts'), 'run', file], { env, stdout: 'pipe', stderr: 'pipe' })
  try {
    const reader = proc.stdout.getReader()
    const first = new TextDecoder().decode((await within(10_000, reader.read(), 'the port from the handover')).value)
    const port = Number(first.trim().split('\n')[0])
    // The socket listens from the start: the request waits in its backlog until edgelb accepts.
    const r = await within(10_000, fetch(`http://127.0.0.1:${port}/`), 'an answer on fd 3')
    expect([r.status, await r.text()]).toEqual([200, 'via fd 3'])
  } finally {
    proc.kill('SIGTERM')
    await within(10_000, proc.exited, 'edgelb to stop')
  }
  const err = await new Response(proc.stderr).text()
  expect(err).toContain(`edgelb: warning: serving with the runtime's default collection timer: re-executing to set BUN_GC_TIMER_INTERVAL=30000 would close the inherited socket (fd 3); set it in the environment to have both`)
  expect(err).toContain('edgelb: web listening on fd@3')
})
