import { expect, test } from 'bun:test'
import { ConfigError } from '../model/source.ts'
import { destKey, parseLogDest } from './target-address.ts'

const AT = { file: 'edgelb.cfg', line: 3 }

function refused(address: string): string {
  try {
    parseLogDest(address, AT)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return (e as Error).message
  }
  throw new Error(`'${address}' was accepted`)
}

test('stdout and stderr, also as fd@1 and fd@2', () => {
  expect(parseLogDest('stdout', AT)).toEqual({ kind: 'stdout' })
  expect(parseLogDest('fd@1', AT)).toEqual({ kind: 'stdout' })
  expect(parseLogDest('stderr', AT)).toEqual({ kind: 'stderr' })
  expect(parseLogDest('fd@2', AT)).toEqual({ kind: 'stderr' })
})

test('UDP syslog: IP, IP:PORT (514 by default), udp@/udp4@/udp6@/ipv4@/ipv6@, [v6], v6 with the port after the last colon, host names', () => {
  expect(parseLogDest('127.0.0.1', AT)).toEqual({ kind: 'udp', family: 4, host: '127.0.0.1', port: 514 })
  expect(parseLogDest('10.0.0.1:1514', AT)).toEqual({ kind: 'udp', family: 4, host: '10.0.0.1', port: 1514 })
  expect(parseLogDest('udp@127.0.0.1:5140', AT)).toEqual({ kind: 'udp', family: 4, host: '127.0.0.1', port: 5140 })
  expect(parseLogDest('udp4@127.0.0.1', AT)).toEqual({ kind: 'udp', family: 4, host: '127.0.0.1', port: 514 })
  expect(parseLogDest('ipv4@127.0.0.1:9', AT)).toEqual({ kind: 'udp', family: 4, host: '127.0.0.1', port: 9 })
  expect(parseLogDest('udp6@[::1]:5140', AT)).toEqual({ kind: 'udp', family: 6, host: '::1', port: 5140 })
  expect(parseLogDest('ipv6@::1:5140', AT)).toEqual({ kind: 'udp', family: 6, host: '::1', port: 5140 })
  expect(parseLogDest('[2001:db8::1]', AT)).toEqual({ kind: 'udp', family: 6, host: '2001:db8::1', port: 514 })
  expect(parseLogDest('logs.example.com:514', AT)).toEqual({ kind: 'udp', family: 0, host: 'logs.example.com', port: 514 })
  expect(parseLogDest('udp4@localhost:514', AT)).toEqual({ kind: 'udp', family: 4, host: 'localhost', port: 514 })
})

test('unix datagram sockets, TCP syslog and rings; targets edgelb does not send to yet are recognised, with what they are', () => {
  expect(parseLogDest('/dev/log', AT)).toEqual({ kind: 'unix', path: '/dev/log' })
  expect(parseLogDest('unix@/run/log.sock', AT)).toEqual({ kind: 'unix', path: '/run/log.sock' })
  expect(parseLogDest('uxdg@/run/log.sock', AT)).toEqual({ kind: 'unix', path: '/run/log.sock' })
  expect(parseLogDest('abns@syslog', AT)).toEqual({ kind: 'unix', path: '@syslog' })
  expect(parseLogDest('ring@buf1', AT)).toEqual({ kind: 'ring', name: 'buf1' })
  expect(parseLogDest('tcp@10.0.0.1:1514', AT)).toEqual({ kind: 'tcp', family: 4, host: '10.0.0.1', port: 1514 })
  expect(parseLogDest('tcp@logs.example.com', AT)).toEqual({ kind: 'tcp', family: 0, host: 'logs.example.com', port: 514 })
  expect(parseLogDest('tcp6@[::1]:601', AT)).toEqual({ kind: 'tcp', family: 6, host: '::1', port: 601 })
  expect(parseLogDest('uxst@/run/log.sock', AT)).toEqual({ kind: 'unsupported', what: 'syslog over a unix stream socket' })
  expect(parseLogDest('backend@logs', AT)).toEqual({ kind: 'unsupported', what: 'log backends' })
  expect(parseLogDest('fd@3', AT)).toEqual({ kind: 'unsupported', what: 'logging to a file descriptor other than fd@1 (stdout) and fd@2 (stderr)' })
})

test('a target without an address is 0.0.0.0, this host, as HAProxy reads it (the port defaults to 514)', () => {
  expect(parseLogDest(':514', AT)).toEqual({ kind: 'udp', family: 4, host: '0.0.0.0', port: 514 })
  expect(parseLogDest(':', AT)).toEqual({ kind: 'udp', family: 4, host: '0.0.0.0', port: 514 })
})

test('bad addresses are refused with what is wrong', () => {
  expect(refused('127.0.0.1:0')).toBe("port 0 out of range in '127.0.0.1:0'; ports are 1 to 65535")
  expect(refused('udp@127.0.0.1:65536')).toBe("port 65536 out of range in 'udp@127.0.0.1:65536'; ports are 1 to 65535")
  expect(refused('127.0.0.1:syslog')).toBe("invalid port 'syslog' in '127.0.0.1:syslog'; ports are numbers from 1 to 65535")
  expect(refused('udp6@127.0.0.1')).toBe("'127.0.0.1' is an IPv4 address but the log target says ipv6 (udp6@127.0.0.1)")
  expect(refused('sctp@10.0.0.1')).toStartWith("unknown address prefix 'sctp@' in log target 'sctp@10.0.0.1'; known: udp@")
  expect(refused('fd@one')).toBe("'fd@' expects a file descriptor number, got 'one'")
  expect(refused('ring@')).toBe("'ring@' expects a name after it in log target 'ring@'")
  expect(refused('tcp@')).toBe("'tcp@' expects an address after it in log target 'tcp@'")
  expect(refused('tcp@127.0.0.1:0')).toBe("port 0 out of range in 'tcp@127.0.0.1:0'; ports are 1 to 65535")
  expect(refused('bad_host!:514')).toBe("invalid address 'bad_host!' in log target 'bad_host!:514'; write an IP address or a host name, e.g. 127.0.0.1:514")
})

test('one key per destination: lines to the same server share a socket', () => {
  expect(destKey(parseLogDest('127.0.0.1:514', AT))).toBe(destKey(parseLogDest('udp@127.0.0.1', AT)))
  expect(destKey(parseLogDest('127.0.0.1:514', AT))).not.toBe(destKey(parseLogDest('127.0.0.1:515', AT)))
  expect(destKey(parseLogDest('/dev/log', AT))).toBe(destKey(parseLogDest('unix@/dev/log', AT)))
  expect(destKey(parseLogDest('tcp@127.0.0.1:514', AT))).not.toBe(destKey(parseLogDest('udp@127.0.0.1:514', AT)))
  expect(destKey(parseLogDest('backend@x', AT))).toBe(destKey(parseLogDest('stdout', AT)))
})
