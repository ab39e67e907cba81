// Logging configuration as `edgelb check` and `edgelb run` read it: what is built says nothing
// (UDP syslog, stdout/stderr, formats, len, sample, log-tag, log-send-hostname,
// log-separate-errors, dontlog-normal); what is not built yet says so precisely, once per kind;
// mistakes are errors at their line. And one real process: `edgelb run` writing HAProxy's
// default header on stdout and sending syslog datagrams.
import { describe, expect, test } from 'bun:test'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { formatDiagnostic } from '../../src/model/source.ts'
import { cfg, echoSession, spawnEdgelb, startServer, tcpConfig, until } from '../support/harness.ts'
import { syslogReceiver } from '../support/syslog-receiver.ts'

const FILE = 'edgelb.cfg'

/** Every diagnostic `edgelb check` prints for `text`. */
function check(text: string): string[] {
  const read = readHaproxy(text, FILE)
  const built = buildConfig(read.sections, [FILE])
  return [...read.diagnostics, ...built.diagnostics].map(formatDiagnostic)
}

/** A valid configuration around `global` lines (from line 2) and `proxy` lines (from line 8 + the number of global lines). */
function config(global: string[], proxy: string[] = []): string {
  return ['global', ...global.map((l) => `  ${l}`), 'defaults', '  timeout connect 5s', '  timeout client 5s', '  timeout server 5s', 'listen web', '  bind 127.0.0.1:8080', ...proxy.map((l) => `  ${l}`), '  server a 127.0.0.1:9001', ''].join('\n')
}

describe('edgelb check: logging keywords', () => {
  test('a log target without an address goes to 0.0.0.0, this host, as in HAProxy, with a warning', () => {
    expect(check(config(['log :514 local0', 'log : local0']))).toEqual([
      `${FILE}:2: warning: log target ':514' has no address: lines go to 0.0.0.0:514, this host, as in HAProxy; write the syslog server's address`,
      `${FILE}:3: warning: log target ':' has no address: lines go to 0.0.0.0:514, this host, as in HAProxy; write the syslog server's address`,
    ])
  })

  test('what edgelb sends says nothing: UDP syslog, stdout, stderr, formats, len, sample, log-tag, log-send-hostname, the error options', () => {
    expect(check(config([
      'log 127.0.0.1 local0',
      'log 10.0.0.1:1514 len 4096 format rfc5424 local1 info notice',
      'log udp@127.0.0.1:514 format rfc3164 local2',
      'log udp4@127.0.0.1 format short daemon',
      'log udp6@[::1]:514 format timed local3',
      'log ipv4@127.0.0.1 format iso local4',
      'log ipv6@::1:514 format priority local5',
      'log stdout format raw local0',
      'log stderr format local user',
      'log fd@1 sample 1:10 local0',
      'log-tag lb',
      'log-send-hostname lb1.example',
    ], [
      'mode http',
      'log global',
      'log 127.0.0.1:5140 local6 err',
      'log-tag web',
      'option httplog',
      'option log-separate-errors',
      'option dontlog-normal',
    ]))).toEqual([])
  })

  test('unix datagram sockets, TCP syslog and declared rings are sent to: no warning', () => {
    expect(check(config(['log /dev/log local0', 'log unix@/run/syslog.sock local0', 'log abns@syslog local0', 'log ring@buf local0'], ['log tcp@10.0.0.1:514 local0']) + 'ring buf\n  format rfc5424\n  server s1 10.0.0.2:6514 log-proto octet-count\n')).toEqual([])
  })

  test('targets edgelb does not send to yet are accepted, once per target, with what they are and where their lines go; so is a profile', () => {
    expect(check(config(['log uxst@/run/syslog.sock local0', 'log backend@logs local0'], ['log fd@3 local0', 'log uxst@/run/syslog.sock local1', 'log stdout profile p1 local0']))).toEqual([
      `${FILE}:2: warning: logging to 'uxst@/run/syslog.sock' is parsed but not implemented yet (syslog over a unix stream socket); its lines go to stdout for now (and 1 more use)`,
      `${FILE}:3: warning: logging to 'backend@logs' is parsed but not implemented yet (log backends); its lines go to stdout for now`,
      `${FILE}:10: warning: logging to 'fd@3' is parsed but not implemented yet (logging to a file descriptor other than fd@1 (stdout) and fd@2 (stderr)); its lines go to stdout for now`,
      `${FILE}:12: warning: 'log ... profile' is parsed but not implemented yet (log profiles); edgelb ignores it for now`,
    ])
  })

  test('ring sections: bad lines are errors at their line; protecting server options refuse the configuration', () => {
    expect(check(config([]) + 'ring r\n  format json\n  size lots\n  server s1\n  server s2 10.0.0.1:514 log-proto udp\n  server s3 10.0.0.1:514 ssl\n  flavour x\n')).toEqual([
      `${FILE}:10: error: unknown ring format 'json'; known: local, rfc3164, rfc5424, priority, short, timed, iso, raw`,
      `${FILE}:11: error: invalid size 'lots'; write a number of bytes, optionally with k, m or g: 16384, 16k, 1m`,
      `${FILE}:12: error: 'server' expects a name and an address: server NAME HOST:PORT [log-proto octet-count]`,
      `${FILE}:13: error: 'log-proto' expects 'legacy' or 'octet-count'`,
      expect.stringMatching(new RegExp(`^${FILE}:14: error: 'ssl' on a ring server`)),
      `${FILE}:15: error: unknown keyword 'flavour x' in a ring section; known: description, format, maxlen, size, timeout connect, timeout server, server`,
    ])
  })

  test('mistakes are errors at their line: facility, level, minlevel, format, len, sample, address, extra words', () => {
    expect(check(config([
      'log 127.0.0.1 local9',
      'log 127.0.0.1 local0 loud',
      'log 127.0.0.1 local0 info quiet',
      'log 127.0.0.1 format json local0',
      'log 127.0.0.1 len 10 local0',
      'log 127.0.0.1 sample 5:2 local0',
      'log 127.0.0.1:99999 local0',
      'log 127.0.0.1 local0 info err debug',
      'log 127.0.0.1',
      'log-send-hostname a b',
    ], ['log-tag']))).toEqual([
      `${FILE}:2: error: unknown log facility 'local9'; known: kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, auth2, ftp, ntp, audit, alert, cron2, local0, local1, local2, local3, local4, local5, local6, local7`,
      `${FILE}:3: error: unknown log level 'loud'; known: emerg, alert, crit, err, warning, notice, info, debug`,
      `${FILE}:4: error: unknown log level 'quiet'; known: emerg, alert, crit, err, warning, notice, info, debug`,
      `${FILE}:5: error: unknown log format 'json'; known: local, rfc3164, rfc5424, priority, short, timed, iso, raw`,
      `${FILE}:6: error: log 'len' must be between 80 and 65535, got 10`,
      `${FILE}:7: error: sample size 2 should be greater or equal to 5, the highest position of the ranges, in 'sample 5:2'`,
      `${FILE}:8: error: port 99999 out of range in '127.0.0.1:99999'; ports are 1 to 65535`,
      `${FILE}:9: error: unexpected 'debug' at the end of 'log'`,
      `${FILE}:10: error: 'log 127.0.0.1' needs a facility, e.g. 'log 127.0.0.1 local0'`,
      `${FILE}:11: error: 'log-send-hostname' takes at most a name; remove 'b'`,
      `${FILE}:18: error: 'log-tag' expects a tag (the program name in syslog headers)`,
    ])
  })
})

describe('edgelb run', () => {
  test('stdout without a format gets HAProxy\'s default header (local: no hostname); a syslog server gets the datagram', async () => {
    await using s1 = startServer('s1', 'echo')
    await using rx = await syslogReceiver()
    await using lb = await spawnEdgelb(tcpConfig(cfg`
      listen app
        bind 127.0.0.1:0
        server s1 127.0.0.1:${s1.port}`, { global: ['log stdout local0', `log 127.0.0.1:${rx.port} format raw local0`] }))
    await echoSession(lb.ports.get('app')!)
    const [frame] = await rx.waitFrames(1)
    expect(frame).toMatch(/^127\.0\.0\.1:\d+ \[[^\]]+\] app app\/s1 0\/\d+\/\d+ 4 -- 0\/0\/0\/0\/0 0\/0\n$/)
    const line = frame!.slice(0, -1)
    // The same line on stdout, after `<134>DATE edgelb[PID]: `.
    const pid = lb.proc.pid
    await until(() => lb.stdout.some((l) => l.endsWith(line)), `the line on stdout (${JSON.stringify(lb.stdout)})`)
    expect(lb.stdout.find((l) => l.endsWith(line))).toMatch(new RegExp(`^<134>[A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d edgelb\\[${pid}\\]: ${line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`))
  })
})
