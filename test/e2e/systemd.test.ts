/**
 * edgelb as a systemd service, with `systemd-socket-activate` in systemd's place: the sockets it
 * binds are served (taken by address, by name, by number), and what edgelb tells the service
 * manager arrives on NOTIFY_SOCKET.
 */
import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { freePort, within } from '../support/harness.ts'
import { NotifyReceiver, socketActivate } from '../support/systemd.ts'

const HTTP = (port: string, body: string, name = 'web'): string => `defaults
  mode http
  timeout connect 5s
  timeout client 5s
  timeout server 5s
frontend ${name}
  bind ${port}
  http-request return status 200 content-type text/plain string "${body}"
`

async function get(port: number): Promise<string> {
  const r = await within(10_000, fetch(`http://127.0.0.1:${port}/`), `an answer on port ${port}`)
  return `${r.status} ${await r.text()}`
}

describe('socket activation', () => {
  test('a plain bind ADDR:PORT adopts the socket systemd bound there; an inherited socket no bind uses is reported', async () => {
    const p = freePort()
    const q = freePort()
    await using sd = await socketActivate(HTTP(`127.0.0.1:${p}`, 'adopted'), { listen: [`127.0.0.1:${p}`, `127.0.0.1:${q}`] })
    // The first connection starts edgelb; it waits in the socket's backlog meanwhile.
    expect(await get(p)).toBe('200 adopted')
    await sd.stderr.wait(/inherited socket/, 'the warning about the unused socket')
    sd.signal('SIGTERM')
    expect(await sd.exited()).toBe(0)
    const err = sd.stderr.all.join('\n')
    expect(err).toContain(`edgelb: web listening on 127.0.0.1:${p}`)
    expect(err).toContain(`edgelb: warning: inherited socket fd 4 (127.0.0.1:${q}) is used by no bind line and is not served`)
    expect(err).not.toContain('cannot bind')
    expect(err).not.toContain('re-executing')
  })

  test('bind systemd@NAME takes the socket named by FileDescriptorName= (LISTEN_FDNAMES); bind fd@N takes it by number', async () => {
    const p = freePort()
    const q = freePort()
    const text = HTTP('fd@3', 'by number', 'web') + `frontend api
  bind systemd@api
  http-request return status 200 content-type text/plain string "by name"
`
    await using sd = await socketActivate(text, { listen: [`127.0.0.1:${p}`, `127.0.0.1:${q}`], fdnames: ['web', 'api'] })
    expect(await get(q)).toBe('200 by name')
    expect(await get(p)).toBe('200 by number')
    sd.signal('SIGTERM')
    expect(await sd.exited()).toBe(0)
    const err = sd.stderr.all.join('\n')
    expect(err).toContain('edgelb: web listening on fd@3')
    expect(err).toContain('edgelb: api listening on systemd@api')
    expect(err).not.toContain('warning: inherited socket')
  })

  test('a name no inherited socket has stops the start, naming the names there are', async () => {
    const p = freePort()
    await using sd = await socketActivate(HTTP('systemd@nope', 'x'), { listen: [`127.0.0.1:${p}`], fdnames: ['web'] })
    // Trigger the exec; the connection is closed when edgelb exits.
    await fetch(`http://127.0.0.1:${p}/`).catch(() => undefined)
    expect(await sd.exited()).toBe(1)
    expect(sd.stderr.all.join('\n')).toContain("edgelb: not started: frontend 'web': cannot bind systemd@nope: no inherited socket has that name (LISTEN_FDNAMES has web)")
  })
})

describe('sd_notify', () => {
  test('READY=1 once listening, with a STATUS naming where; STOPPING=1 at SIGTERM', async () => {
    const p = freePort()
    await using notify = await NotifyReceiver.start()
    await using sd = await socketActivate(HTTP(`127.0.0.1:${p}`, 'hello'), { listen: [`127.0.0.1:${p}`], env: { NOTIFY_SOCKET: notify.path } })
    expect(await get(p)).toBe('200 hello')
    expect(await notify.waitFor((m) => m.startsWith('READY=1'), 'READY=1')).toBe(`READY=1\nSTATUS=serving 1 frontend: web on 127.0.0.1:${p}`)
    sd.signal('SIGTERM')
    expect(await sd.exited()).toBe(0)
    expect(notify.messages).toEqual([`READY=1\nSTATUS=serving 1 frontend: web on 127.0.0.1:${p}`, 'STOPPING=1\nSTATUS=stopping'])
  })

  test('STOPPING=1 at soft stop (SIGUSR1, what the unit sends to stop)', async () => {
    const p = freePort()
    await using notify = await NotifyReceiver.start()
    await using sd = await socketActivate(HTTP(`127.0.0.1:${p}`, 'hello'), { listen: [`127.0.0.1:${p}`], env: { NOTIFY_SOCKET: notify.path } })
    expect(await get(p)).toBe('200 hello')
    await notify.waitFor((m) => m.startsWith('READY=1'), 'READY=1')
    sd.signal('SIGUSR1')
    expect(await sd.exited()).toBe(0)
    expect(notify.messages.at(-1)).toBe('STOPPING=1\nSTATUS=soft stop: finishing live sessions')
  })

  test('WATCHDOG=1 every half WATCHDOG_USEC', async () => {
    const p = freePort()
    await using notify = await NotifyReceiver.start()
    await using sd = await socketActivate(HTTP(`127.0.0.1:${p}`, 'hello'), { listen: [`127.0.0.1:${p}`], env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '200000' } })
    expect(await get(p)).toBe('200 hello')
    await notify.waitFor((m) => m.startsWith('READY=1'), 'READY=1')
    const from = notify.messages.length
    await notify.waitFor((m) => m === 'WATCHDOG=1', 'a first WATCHDOG=1', 5000, from)
    await notify.waitFor((m) => m === 'WATCHDOG=1', 'a second WATCHDOG=1', 5000, notify.messages.lastIndexOf('WATCHDOG=1') + 1)
    sd.signal('SIGTERM')
    expect(await sd.exited()).toBe(0)
  })

  test('around a reload: RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC), then READY=1; a failed one says why in STATUS=', async () => {
    const p = freePort()
    await using notify = await NotifyReceiver.start()
    await using sd = await socketActivate(HTTP(`127.0.0.1:${p}`, 'one'), { listen: [`127.0.0.1:${p}`], env: { NOTIFY_SOCKET: notify.path } })
    expect(await get(p)).toBe('200 one')
    await notify.waitFor((m) => m.startsWith('READY=1'), 'READY=1')
    writeFileSync(sd.file, HTTP(`127.0.0.1:${p}`, 'two'))
    const before = BigInt(spawnSync('python3', ['-c', 'import time; print(time.monotonic_ns() // 1000)']).stdout.toString().trim())
    sd.signal('SIGHUP')
    const reloading = await notify.waitFor((m) => m.startsWith('RELOADING=1'), 'RELOADING=1')
    const m = /^RELOADING=1\nMONOTONIC_USEC=(\d+)\nSTATUS=reloading \(SIGHUP\)$/.exec(reloading)
    expect(m).not.toBeNull()
    const usec = BigInt(m![1]!)
    expect(usec >= before && usec - before < 10_000_000n).toBe(true)
    const ready = await notify.waitFor((x) => x.startsWith('READY=1') && x.includes('generation 2'), 'READY=1 after the reload')
    expect(ready).toMatch(new RegExp(`^READY=1\nSTATUS=serving 1 frontend: web on 127\\.0\\.0\\.1:${p} \\(generation 2, reloaded .*\\)$`))
    expect(await get(p)).toBe('200 two')
    writeFileSync(sd.file, HTTP(`127.0.0.1:${p}`, 'three') + '  nonsense here\n')
    const from = notify.messages.length
    sd.signal('SIGUSR2')
    const failed = await notify.waitFor((x) => x.startsWith('READY=1'), 'READY=1 after the failed reload', 10000, from)
    expect(failed).toMatch(/^READY=1\nSTATUS=reload failed: .*edgelb\.cfg:9: error: unknown keyword 'nonsense'.*; still serving 1 frontend: web on .* \(generation 2\)$/)
    expect(notify.messages[from]).toMatch(/^RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=reloading \(SIGUSR2\)$/)
    expect(await get(p)).toBe('200 two')
    sd.signal('SIGTERM')
    expect(await sd.exited()).toBe(0)
  })

  test('a configuration that does not load is not READY: STATUS says why, and edgelb exits', async () => {
    const p = freePort()
    await using notify = await NotifyReceiver.start()
    await using sd = await socketActivate('frontend web\n  bind :1\n  nonsense here\n', { listen: [`127.0.0.1:${p}`], env: { NOTIFY_SOCKET: notify.path } })
    await fetch(`http://127.0.0.1:${p}/`).catch(() => undefined)
    expect(await sd.exited()).toBe(1)
    const status = await notify.waitFor((m) => m.startsWith('STATUS='), 'STATUS=')
    expect(status).toMatch(/^STATUS=not started: .*edgelb\.cfg:3: error: /)
    expect(notify.messages.some((m) => m.includes('READY=1'))).toBe(false)
  })
})
