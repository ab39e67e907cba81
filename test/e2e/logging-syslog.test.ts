// Syslog over UDP, end to end: a request through edgelb and the datagram a syslog server gets,
// byte for byte, in the formats HAProxy writes (rfc3164, rfc5424, raw, and the default local),
// with the facility in PRI, log-tag, log-send-hostname and len. Each scenario also logs to stdout
// `format raw` (lb.logs): the same send, so the message part must be that line exactly.
import { describe, expect, test } from 'bun:test'
import { formatIsoDate, formatSyslogDate } from '../../src/log/date.ts'
import { cfg, echoSession, startLb, startServer } from '../support/harness.ts'
import { okResponse, rawExchange, startHttpServer } from '../support/http-harness.ts'
import { isoMs, syslogReceiver } from '../support/syslog-receiver.ts'

const PID = process.pid

/** The RFC 3164 dates of every second from t0 to t1: the header's date is one of them. */
function legacyDates(t0: number, t1: number): string[] {
  const out: string[] = []
  for (let s = Math.floor(t0 / 1000); s <= Math.floor(t1 / 1000); s++) out.push(formatSyslogDate(s * 1000))
  return out
}

/** Checks `frame` is `<PRI>DATE REST` with DATE an RFC 3164 date between t0 and t1. */
function expectLegacy(frame: string, pri: number, rest: string, t0: number, t1: number): void {
  expect(legacyDates(t0, t1).map((d) => `<${pri}>${d} ${rest}`)).toContain(frame)
}

/** Checks `frame` is `<PRI>1 ISO REST` with ISO the date of a moment between t0 and t1. */
function expect5424(frame: string, pri: number, rest: string, t0: number, t1: number): void {
  const ms = isoMs(frame)
  expect(ms).toBeGreaterThanOrEqual(t0)
  expect(ms).toBeLessThanOrEqual(t1)
  expect(frame).toBe(`<${pri}>1 ${formatIsoDate(ms)} ${rest}`)
}

/** `listen web` (mode http, httplog) in front of the server at port `a`; `global` (lines) and
 *  `proxy` (a line of the listen section) say where the lines go. */
function http(a: number, global: string[], proxy = ''): string {
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
      ${proxy}
      server a 127.0.0.1:${a}`
}

describe('httplog and tcplog lines over UDP syslog', () => {
  test('an httplog line in rfc3164, rfc5424 and raw, facility local0 at info (PRI 134)', async () => {
    await using a = startHttpServer('a', () => okResponse('hello'))
    await using rx3164 = await syslogReceiver()
    await using rx5424 = await syslogReceiver()
    await using rxRaw = await syslogReceiver()
    await using lb = await startLb(http(a.port, [
      'log stdout format raw local0',
      `log 127.0.0.1:${rx3164.port} format rfc3164 local0`,
      `log udp@127.0.0.1:${rx5424.port} format rfc5424 local0`,
      `log udp4@127.0.0.1:${rxRaw.port} format raw local0`,
    ]))
    const t0 = Date.now()
    expect(await rawExchange(lb.port(), 'GET /hello HTTP/1.0\r\n\r\n')).toBe(okResponse('hello'))
    const [line] = await lb.waitLogs(1)
    expect(line).toMatch(/^127\.0\.0\.1:\d+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] web web\/a \d+\/0\/\d+\/\d+\/\d+ 200 43 - - ---- 1\/1\/0\/0\/0 0\/0 "GET \/hello HTTP\/1\.0"$/)
    const [f3164] = await rx3164.waitFrames(1)
    const [f5424] = await rx5424.waitFrames(1)
    const [fRaw] = await rxRaw.waitFrames(1)
    const t1 = Date.now()
    // rfc3164 always has a hostname field: localhost when log-send-hostname gives none.
    expectLegacy(f3164!, 134, `localhost edgelb[${PID}]: ${line}\n`, t0, t1)
    expect5424(f5424!, 134, `- edgelb ${PID} - - ${line}\n`, t0, t1)
    expect(fRaw).toBe(`${line}\n`)
  })

  test('a tcplog line in rfc3164, rfc5424 and raw, facility local7 (PRI 190)', async () => {
    await using s1 = startServer('s1', 'echo')
    await using rx3164 = await syslogReceiver()
    await using rx5424 = await syslogReceiver()
    await using rxRaw = await syslogReceiver()
    await using lb = await startLb(cfg`
      defaults
        mode tcp
        option tcplog
        timeout client 5s
        timeout server 5s
        timeout connect 1s
      listen app
        bind 127.0.0.1:0
        log stdout format raw local7
        log 127.0.0.1:${rx3164.port} format rfc3164 local7
        log 127.0.0.1:${rx5424.port} format rfc5424 local7
        log 127.0.0.1:${rxRaw.port} format raw local7
        server s1 127.0.0.1:${s1.port}`)
    const t0 = Date.now()
    await echoSession(lb.port())
    const [line] = await lb.waitLogs(1)
    expect(line).toMatch(/^127\.0\.0\.1:\d+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] app app\/s1 0\/\d+\/\d+ 4 -- 0\/0\/0\/0\/0 0\/0$/)
    const [f3164] = await rx3164.waitFrames(1)
    const [f5424] = await rx5424.waitFrames(1)
    const [fRaw] = await rxRaw.waitFrames(1)
    const t1 = Date.now()
    expectLegacy(f3164!, 190, `localhost edgelb[${PID}]: ${line}\n`, t0, t1)
    expect5424(f5424!, 190, `- edgelb ${PID} - - ${line}\n`, t0, t1)
    expect(fRaw).toBe(`${line}\n`)
  })
})

describe('headers: the default format, the hostname, the tag, the length', () => {
  test('no format: HAProxy\'s default, "local": rfc3164 without the hostname field', async () => {
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rx = await syslogReceiver()
    await using lb = await startLb(http(a.port, ['log stdout format raw local0', `log 127.0.0.1:${rx.port} local1`]))
    const t0 = Date.now()
    await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    const [line] = await lb.waitLogs(1)
    const [frame] = await rx.waitFrames(1)
    expectLegacy(frame!, 17 * 8 + 6, `edgelb[${PID}]: ${line}\n`, t0, Date.now())
  })

  test('log-send-hostname NAME: the default becomes rfc3164 with that hostname, and rfc5424 carries it; log-tag names the program', async () => {
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rxDefault = await syslogReceiver()
    await using rx5424 = await syslogReceiver()
    await using lb = await startLb(http(a.port, [
      'log-send-hostname lb1.example',
      'log-tag balancer',
      'log stdout format raw local0',
      `log 127.0.0.1:${rxDefault.port} local0`,
      `log 127.0.0.1:${rx5424.port} format rfc5424 local0`,
    ]))
    const t0 = Date.now()
    await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    const [line] = await lb.waitLogs(1)
    const [fDefault] = await rxDefault.waitFrames(1)
    const [f5424] = await rx5424.waitFrames(1)
    const t1 = Date.now()
    expectLegacy(fDefault!, 134, `lb1.example balancer[${PID}]: ${line}\n`, t0, t1)
    expect5424(f5424!, 134, `lb1.example balancer ${PID} - - ${line}\n`, t0, t1)
  })

  test('a proxy log-tag replaces the global one for that proxy\'s lines', async () => {
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rx = await syslogReceiver()
    await using lb = await startLb(http(a.port, ['log-tag global-tag', 'log stdout format raw local0', `log 127.0.0.1:${rx.port} format rfc5424 local0`], 'log-tag web-tag'))
    const t0 = Date.now()
    await rawExchange(lb.port(), 'GET / HTTP/1.0\r\n\r\n')
    const [line] = await lb.waitLogs(1)
    const [frame] = await rx.waitFrames(1)
    expect5424(frame!, 134, `- web-tag ${PID} - - ${line}\n`, t0, Date.now())
  })

  test('len N: header and message cut to N - 1 bytes, then the line feed (on stdout too, without it)', async () => {
    await using a = startHttpServer('a', () => okResponse('x'))
    await using rx = await syslogReceiver()
    await using lb = await startLb(http(a.port, ['log stdout format raw local0', 'log stderr len 80 format raw local0', `log 127.0.0.1:${rx.port} len 100 format rfc5424 local0`]))
    await rawExchange(lb.port(), `GET /${'p'.repeat(150)} HTTP/1.0\r\n\r\n`)
    const [line, cut] = await lb.waitLogs(2)
    expect(line!.length).toBeGreaterThan(150)
    expect(cut).toBe(line!.slice(0, 79))
    const [frame] = await rx.waitFrames(1)
    expect(frame!.length).toBe(100)
    expect(frame!.endsWith('\n')).toBe(true)
    const header = frame!.slice(0, frame!.indexOf(' - - ') + 5)
    expect(frame).toBe(header + line!.slice(0, 99 - header.length) + '\n')
  })
})
