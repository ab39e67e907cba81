/**
 * Binary upgrade: `edgelb reload --upgrade` (SIGURG) makes the running edgelb start the executable
 * at its path with its listening sockets; once the new one serves, the old one stops listening,
 * finishes its sessions and exits; no connection is refused meanwhile. Under systemd the new one
 * is announced as the service (MAINPID= with READY=1).
 */
import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, connectEchoed, freePort, ROOT, spawnEdgelb, startServer, until, within } from '../support/harness.ts'
import { NotifyReceiver, socketActivate } from '../support/systemd.ts'

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }

function killPid(pid: number): void {
  try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
}

/** Requests on new connections, one after another, until `stop()`: what failed, and how many. */
function load(port: number): { stop(): Promise<{ ok: number; failed: string[] }> } {
  let stopping = false
  let ok = 0
  const failed: string[] = []
  const run = (async () => {
    while (!stopping) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })
        await r.text()
        ok++
      } catch (e) { failed.push((e as Error).message) }
    }
  })()
  return { async stop() { stopping = true; await run; return { ok, failed } } }
}

describe('binary upgrade', () => {
  test('the new process takes the sockets over, the old one finishes its tcp session and exits; nothing refused', async () => {
    await using echo = startServer('e', 'echo')
    const port = freePort()
    const tcpPort = freePort()
    const text = `global\n  pidfile edgelb.pid\ndefaults\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\nfrontend web\n  mode http\n  bind 127.0.0.1:${port}\n  http-request return status 200 content-type text/plain string "ok"\nlisten tcpapp\n  mode tcp\n  bind 127.0.0.1:${tcpPort}\n  server e 127.0.0.1:${echo.port}\n`
    await using p = await spawnEdgelb(text, { frontends: 2 })
    const oldPid = p.proc.pid
    let newPid = 0
    try {
      using session = await connectEchoed(tcpPort, 'before')
      const traffic = load(port)
      const r = spawnSync(BUN, [join(ROOT, 'src', 'main.ts'), 'reload', '--upgrade', '-p', 'edgelb.pid'], { cwd: p.dir, encoding: 'utf8' })
      expect([r.status, r.stderr]).toEqual([0, `edgelb: upgrade asked of process ${oldPid} (SIGURG)\n`])
      const line = await p.waitStderr(/^edgelb: upgrade: process \d+ serves now/, 20000)
      newPid = Number(/process (\d+)/.exec(line)![1])
      expect(readFileSync(join(p.dir, 'edgelb.pid'), 'utf8').trim()).toBe(String(newPid))
      // The old one keeps its tcp session until it ends.
      expect(alive(oldPid)).toBe(true)
      await session.write('after')
      await session.waitText('beforeafter')
      session.end()
      expect(await within(10000, p.proc.exited, 'the old process to exit')).toBe(0)
      const { ok, failed } = await traffic.stop()
      expect(failed).toEqual([])
      expect(ok).toBeGreaterThan(0)
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok')
      expect(alive(newPid)).toBe(true)
      // The pidfile is the new process's: the old one left it.
      expect(readFileSync(join(p.dir, 'edgelb.pid'), 'utf8').trim()).toBe(String(newPid))
      expect(p.stderr.join('\n')).toContain(`edgelb: serving in the place of process ${oldPid} (upgrade)`)
    } finally {
      if (newPid > 0) killPid(newPid)
    }
  })

  test('a new executable that cannot start leaves the old one serving', async () => {
    const port = freePort()
    const text = `global\n  pidfile edgelb.pid\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend web\n  bind 127.0.0.1:${port}\n  http-request return status 200 content-type text/plain string "ok"\n`
    await using p = await spawnEdgelb(text)
    // The files it would read are broken now: the new process refuses to start.
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(p.dir, 'edgelb.cfg'), text + '  nonsense\n')
    p.signal('SIGURG')
    await p.waitStderr(/^edgelb: upgrade failed: process \d+ exited \(status 1\) before it was ready/, 20000)
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok')
    expect(readFileSync(join(p.dir, 'edgelb.pid'), 'utf8').trim()).toBe(String(p.proc.pid))
  })

  test('under systemd: the sockets it passed on serve in the new process, announced with MAINPID= and READY=1', async () => {
    const port = freePort()
    await using notify = await NotifyReceiver.start()
    const text = `defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend web\n  bind 127.0.0.1:${port}\n  http-request return status 200 content-type text/plain string "ok"\n`
    await using sd = await socketActivate(text, { listen: [`127.0.0.1:${port}`], env: { NOTIFY_SOCKET: notify.path } })
    let newPid = 0
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok')
      await notify.waitFor((m) => m.startsWith('READY=1'), 'READY=1')
      const traffic = load(port)
      sd.signal('SIGURG')
      const msg = await notify.waitFor((m) => m.startsWith('MAINPID='), 'MAINPID=', 20000)
      newPid = Number(/^MAINPID=(\d+)\nREADY=1\nSTATUS=process \d+ serves \(upgrade\); \d+ finishes its sessions$/.exec(msg)![1])
      expect(newPid).not.toBe(sd.pid)
      await until(() => !alive(sd.pid), 'the old process to exit', 10000)
      const { failed, ok } = await traffic.stop()
      expect(failed).toEqual([])
      expect(ok).toBeGreaterThan(0)
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok')
      // Around it: RELOADING=1 from the old one, then the hand-over; the old one never said STOPPING.
      expect(notify.messages.some((m) => m.startsWith('RELOADING=1\nMONOTONIC_USEC='))).toBe(true)
      expect(notify.messages.some((m) => m.startsWith('STOPPING=1'))).toBe(false)
      // The new one is the service now: its own stop is announced.
      process.kill(newPid, 'SIGTERM')
      await notify.waitFor((m) => m.startsWith('STOPPING=1'), 'STOPPING=1 from the new process')
      await until(() => !alive(newPid), 'the new process to exit', 10000)
    } finally {
      if (newPid > 0) killPid(newPid)
    }
  })
})
