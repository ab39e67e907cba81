// Log targets beyond UDP, end to end: syslog over a unix datagram socket the test binds (the bytes
// each datagram carries), syslog over TCP with octet counting (RFC 6587), and `ring` sections
// forwarded to a TCP server. Each scenario also logs `stdout format raw`: the message part must be
// that line exactly.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatSyslogDate } from '../../src/log/date.ts'
import { cfg, startLb } from '../support/harness.ts'
import { okResponse, rawExchange, startHttpServer } from '../support/http-harness.ts'
import { tcpSyslogReceiver, unixSyslogReceiver } from '../support/syslog-receiver.ts'
import { parseConfig } from '../support/config.ts'
import { CliSession } from '../../src/admin/session.ts'
import { startStatsSockets } from '../../src/admin/socket.ts'
import { Signal } from '../support/wait.ts'
import type { CliLevel } from '../../src/admin/types.ts'
import { Generations } from '../../src/proxy/generations.ts'
import { ListenerSet } from '../../src/proxy/listeners.ts'
import { buildRuntime } from '../../src/proxy/runtime.ts'

const PID = process.pid

function http(a: number, global: string[], extra = ''): string {
  return cfg`
    global
      ${global.join('\n      ')}
    defaults
      mode http
      log global
      option httplog
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen web
      bind 127.0.0.1:0
      server a 127.0.0.1:${a}
    ${extra}`
}

function tmpDir(): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), 'edgelb-log-'))
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) }
}

function dated(t0: number, t1: number, rest: (date: string) => string): string[] {
  const out: string[] = []
  for (let s = Math.floor(t0 / 1000); s <= Math.floor(t1 / 1000); s++) out.push(rest(formatSyslogDate(s * 1000)))
  return out
}

describe('syslog over a unix datagram socket', () => {
  test('log /PATH and log unix@/PATH: one datagram per line, header, message and a line feed', async () => {
    using dir = tmpDir()
    await using a = startHttpServer('a', () => okResponse('hello'))
    await using rx1 = await unixSyslogReceiver(join(dir.path, 'log1'))
    await using rx2 = await unixSyslogReceiver(join(dir.path, 'log2'))
    await using lb = await startLb(http(a.port, [
      'log stdout format raw local0',
      `log ${rx1.path} local0`,
      `log unix@${rx2.path} format rfc3164 local1 info`,
    ]))
    const t0 = Date.now()
    expect(await rawExchange(lb.port(), 'GET /hello HTTP/1.0\r\n\r\n')).toBe(okResponse('hello'))
    const [line] = await lb.waitLogs(1)
    const [f1] = await rx1.waitFrames(1)
    const [f2] = await rx2.waitFrames(1)
    const t1 = Date.now()
    expect(dated(t0, t1, (d) => `<134>${d} edgelb[${PID}]: ${line}\n`)).toContain(f1!)
    expect(dated(t0, t1, (d) => `<142>${d} localhost edgelb[${PID}]: ${line}\n`)).toContain(f2!)
    expect(rx1.datagrams[0]!.at(-1)).toBe(0x0a)
  })

  test('len N cuts each datagram to N bytes, the line feed last; sample 1:2 sends every other line', async () => {
    using dir = tmpDir()
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rx = await unixSyslogReceiver(join(dir.path, 'log'))
    await using rxs = await unixSyslogReceiver(join(dir.path, 'logs'))
    await using lb = await startLb(http(a.port, [
      'log stdout format raw local0',
      `log ${rx.path} len 80 format raw local0`,
      `log ${rxs.path} sample 1:2 format short local0`,
    ]))
    for (let i = 0; i < 4; i++) await rawExchange(lb.port(), `GET /${'p'.repeat(100)}${i} HTTP/1.0\r\n\r\n`)
    const lines = await lb.waitLogs(4)
    await rx.waitFrames(4)
    await rxs.waitFrames(2)
    expect(rx.datagrams.map((d) => d.length)).toEqual([80, 80, 80, 80])
    expect(rx.frames[0]).toBe(Buffer.from(lines[0]!).subarray(0, 79).toString() + '\n')
    expect(rxs.frames.slice(0, 2)).toEqual([`<6>${lines[0]}\n`, `<6>${lines[2]}\n`])
  })

  test('a path with nobody behind it: the lines are dropped and the error stream says so once', async () => {
    using dir = tmpDir()
    await using a = startHttpServer('a', () => okResponse('x'))
    await using lb = await startLb(http(a.port, ['log stdout format raw local0', `log ${join(dir.path, 'none')} local0`]))
    await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    const logs = await lb.waitLogs(3)
    const said = logs.filter((l) => l.startsWith('edgelb: log '))
    expect(said).toEqual([`edgelb: log ${join(dir.path, 'none')}: cannot send (ENOENT); lines are dropped while it lasts`])
  })
})

describe('syslog over TCP', () => {
  test('log tcp@HOST:PORT: each line octet-counted ("LEN MSG", RFC 6587), on one connection', async () => {
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rx = await tcpSyslogReceiver()
    await using lb = await startLb(http(a.port, ['log stdout format raw local0', `log tcp@127.0.0.1:${rx.port} format raw local0`]))
    await rawExchange(lb.port(), 'GET /one HTTP/1.0\r\n\r\n')
    await rawExchange(lb.port(), 'GET /two HTTP/1.0\r\n\r\n')
    const [l1, l2] = await lb.waitLogs(2)
    const want = `${Buffer.byteLength(l1!)} ${l1}${Buffer.byteLength(l2!)} ${l2}`
    expect(await rx.until((t) => t.length >= want.length, 'two framed lines')).toBe(want)
    expect(rx.accepted).toBe(1)
  })

  test('the server goes away: lines wait in the ring and go on a new connection', async () => {
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rx = await tcpSyslogReceiver()
    await using lb = await startLb(http(a.port, ['log stdout format raw local0', `log tcp@127.0.0.1:${rx.port} format raw local0`]))
    await rawExchange(lb.port(), 'GET /one HTTP/1.0\r\n\r\n')
    const [l1] = await lb.waitLogs(1)
    await rx.until((t) => t.endsWith(l1!), 'the first line')
    rx.dropClients()
    // A line written while the connection dies is lost, as in HAProxy; the next ones are not.
    for (let i = 0; ; i++) {
      await rawExchange(lb.port(), `GET /two${i} HTTP/1.0\r\n\r\n`)
      const l2 = (await lb.waitLogs(2 + i)).find((l) => l.includes(`/two${i} `))!
      try {
        await rx.until((t) => t.endsWith(`${Buffer.byteLength(l2)} ${l2}`), 'a line after a reconnection', 3000)
        break
      } catch (e) {
        if (i >= 2) throw e
      }
    }
    expect(rx.accepted).toBe(2)
  })
})

describe('ring sections', () => {
  test('log ring@NAME stores lines in the ring format; its server gets them, legacy framing (LF) by default', async () => {
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rx = await tcpSyslogReceiver()
    await using lb = await startLb(http(a.port, ['log stdout format raw local0', 'log ring@buf local0'], `
    ring buf
      description "a buffer"
      format rfc3164
      maxlen 1200
      size 32764
      timeout connect 5s
      timeout server 10s
      server s1 127.0.0.1:${rx.port}`))
    const t0 = Date.now()
    await rawExchange(lb.port(), 'GET /r HTTP/1.0\r\n\r\n')
    const [line] = await lb.waitLogs(1)
    const got = await rx.until((t) => t.endsWith('\n'), 'a line')
    expect(dated(t0, Date.now(), (d) => `<134>${d} localhost edgelb[${PID}]: ${line}\n`)).toContain(got)
    const cli = (text: string, level: CliLevel = 'operator'): string => new CliSession({ engine: lb.engine, level }).input(text)
    expect(cli('show events buf\n')).toBe(`${got}\n`)
    expect(cli('show events buf -n\n')).toBe('\n')
    expect(cli('show events\n')).toBe('event sinks:\n    buf        : type=buffer, 0 dropped, a buffer\n    stdout     : type=fd, 0 dropped, standard output (fd#1)\n    stderr     : type=fd, 0 dropped, standard error (fd#2)\n\n')
    expect(cli('show events nope\n')).toBe('No such event sink\n\n')
    expect(cli('show events buf\n', 'user')).toBe('Permission denied\n\n')
  })

  test('log-proto octet-count on a ring server; format raw is the default', async () => {
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rx = await tcpSyslogReceiver()
    await using lb = await startLb(http(a.port, ['log stdout format raw local0', 'log ring@buf format rfc5424 local0'], `
    ring buf
      server s1 127.0.0.1:${rx.port} log-proto octet-count`))
    await rawExchange(lb.port(), 'GET /r HTTP/1.0\r\n\r\n')
    const [line] = await lb.waitLogs(1)
    expect(await rx.until((t) => t.length > 0 && t.endsWith(line!), 'a line')).toBe(`${Buffer.byteLength(line!)} ${line}`)
  })

  test('a log line naming a ring that is not declared is refused at its line', () => {
    expect(() => parseConfig(http(1, ['log ring@nope local0']))).toThrow("log target 'ring@nope': no ring section 'nope' is declared")
  })
})

describe('rings across a reload', () => {
  test('a ring declared the same way keeps its lines and its server connection; a changed one starts afresh', async () => {
    await using rx = await tcpSyslogReceiver()
    const logs: string[] = []
    const sink = (l: string): void => { logs.push(l) }
    const text = (size: string, body: string): string => cfg`
      global
        log ring@buf local0
      ring buf
        size ${size}
        server s1 127.0.0.1:${rx.port}
      defaults
        mode http
        log global
        log-format "%r"
        timeout connect 1s
        timeout client 5s
        timeout server 5s
      frontend web
        bind 127.0.0.1:0
        http-request return status 200 content-type text/plain string "${body}"`
    const gens = Generations.start(buildRuntime(parseConfig(text('16k', 'one'))), new ListenerSet(), { out: sink, err: sink })
    try {
      const port = (): number => gens.current.portOf('web')
      await rawExchange(port(), 'GET /before HTTP/1.0\r\n\r\n')
      await rx.until((t) => t.includes('GET /before'), 'the first line')
      gens.reload(buildRuntime(parseConfig(text('16k', 'two'))))
      await rawExchange(port(), 'GET /after HTTP/1.0\r\n\r\n')
      await rx.until((t) => t.includes('GET /after'), 'the second line')
      expect(rx.accepted).toBe(1)
      expect(new CliSession({ engine: gens.current, level: 'operator' }).input('show events buf\n')).toBe('GET /before HTTP/1.0\nGET /after HTTP/1.0\n\n')
      gens.reload(buildRuntime(parseConfig(text('32k', 'three'))))
      expect(new CliSession({ engine: gens.current, level: 'operator' }).input('show events buf\n')).toBe('\n')
    } finally {
      gens.stop()
      await gens.done
    }
  })
})

test('show events RING -w on the stats socket: what the ring holds, then each new line as it comes, until the client leaves', async () => {
  using dir = tmpDir()
  await using a = startHttpServer('a', () => okResponse('x'))
  await using lb = await startLb(http(a.port, ['log stdout format raw local0', 'log ring@buf local0', `stats socket ${join(dir.path, 'admin.sock')} level operator`, 'stats timeout 200ms'], `
    ring buf
      size 4k`))
  const sockets = startStatsSockets(lb.engine, lb.engine.config.global)
  try {
    await rawExchange(lb.port(), 'GET /first HTTP/1.0\r\n\r\n')
    const [first] = await lb.waitLogs(1)
    let got = ''
    const changed = new Signal()
    const { promise: closed, resolve } = Promise.withResolvers<void>()
    const c = await Bun.connect({ unix: join(dir.path, 'admin.sock'), socket: { data(_s, d) { got += d.toString(); changed.notify() }, close() { resolve() }, error() {} } })
    c.write('show events buf -w\n')
    c.shutdown() // as socat sends a command: the answer keeps coming after the client's FIN
    await changed.until(() => got === `${first}\n`, 'the held line')
    await rawExchange(lb.port(), 'GET /second HTTP/1.0\r\n\r\n')
    const second = (await lb.waitLogs(2))[1]!
    await changed.until(() => got === `${first}\n${second}\n`, 'the new line')
    c.end()
    await closed
    await rawExchange(lb.port(), 'GET /third HTTP/1.0\r\n\r\n')
    await lb.waitLogs(3)
    expect(got).toBe(`${first}\n${second}\n`)
  } finally {
    sockets.close()
  }
})
