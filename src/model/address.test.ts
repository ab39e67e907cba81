import { describe, expect, test } from 'bun:test'
import { formatListenAddr, parseBindSpec, parseIpNet, parseIpv4Net, parseServerAddr } from './address.ts'
import type { SourcePos } from './source.ts'
import { configErrorOf } from '../../test/support/config.ts'
import type { ListenAddr } from './types.ts'

const at: SourcePos = { file: 'edgelb.cfg', line: 3 }
const any4 = (port: number): ListenAddr => ({ family: 'ipv4', host: '', port })

/** The message of the ConfigError `fn` throws, which must carry `at`. */
function messageOf(fn: () => unknown): string {
  const e = configErrorOf(fn)
  expect(e.pos).toEqual(at)
  return e.message
}

describe('parseBindSpec', () => {
  test(':PORT and *:PORT listen on every address', () => {
    expect(parseBindSpec(':80', at)).toEqual([any4(80)])
    expect(parseBindSpec('*:80', at)).toEqual([any4(80)])
    expect(parseBindSpec('0.0.0.0:81', at)).toEqual([{ family: 'ipv4', host: '0.0.0.0', port: 81 }])
  })

  test('port 0 takes any free port (tests and benchmarks bind it)', () => {
    expect(parseBindSpec('127.0.0.1:0', at)).toEqual([{ family: 'ipv4', host: '127.0.0.1', port: 0 }])
  })

  test('a 1.x list binds each element (guide §2.2: TSE, ICA and VNC at once)', () => {
    expect(parseBindSpec(':3389,:1494,:5900', at)).toEqual([any4(3389), any4(1494), any4(5900)])
  })

  test('a port range binds every port in it, both ends included', () => {
    expect(parseBindSpec('10.0.0.1:8000-8003', at).map((a) => 'port' in a && a.port)).toEqual([8000, 8001, 8002, 8003])
    expect(parseBindSpec(':8000-8000', at)).toEqual([any4(8000)])
    expect(parseBindSpec('10.0.0.1:8000-8010', at)).toHaveLength(11)
  })

  test('IPv6: brackets, the last colon, and ipv6@', () => {
    expect(parseBindSpec('[::]:443', at)).toEqual([{ family: 'ipv6', host: '::', port: 443 }])
    expect(parseBindSpec(':::80', at)).toEqual([{ family: 'ipv6', host: '::', port: 80 }])
    expect(parseBindSpec('ipv6@::1:80', at)).toEqual([{ family: 'ipv6', host: '::1', port: 80 }])
    expect(parseBindSpec('ipv6@:80', at)).toEqual([{ family: 'ipv6', host: '', port: 80 }])
  })

  test('ipv4@, tcp@, unix@, a bare path and fd@N', () => {
    expect(parseBindSpec('ipv4@1.2.3.4:80', at)).toEqual([{ family: 'ipv4', host: '1.2.3.4', port: 80 }])
    expect(parseBindSpec('tcp@:80', at)).toEqual([any4(80)])
    expect(parseBindSpec('unix@/run/edgelb.sock', at)).toEqual([{ family: 'unix', path: '/run/edgelb.sock' }])
    expect(parseBindSpec('/run/edgelb.sock', at)).toEqual([{ family: 'unix', path: '/run/edgelb.sock' }])
    expect(parseBindSpec('fd@3', at)).toEqual([{ family: 'fd', fd: 3 }])
    expect(parseBindSpec('systemd@web.socket', at)).toEqual([{ family: 'fd', fd: -1, name: 'web.socket' }])
  })

  test('a list may mix families', () => {
    expect(parseBindSpec(':80,ipv6@:80,unix@/x', at)).toEqual([any4(80), { family: 'ipv6', host: '', port: 80 }, { family: 'unix', path: '/x' }])
  })

  test('bad ports and ranges', () => {
    expect(messageOf(() => parseBindSpec(':8010-8000', at))).toBe("port range 8010-8000 is reversed in ':8010-8000'; write 8000-8010")
    expect(messageOf(() => parseBindSpec(':1-2000', at))).toBe("port range 1-2000 spans 2000 ports in ':1-2000'; edgelb allows at most 1024 per range")
    expect(messageOf(() => parseBindSpec(':70000', at))).toBe("port 70000 out of range in ':70000'; ports are 1 to 65535 (0 = any free port)")
    expect(messageOf(() => parseBindSpec(':0-5', at))).toBe("port 0 out of range in ':0-5'; ports are 1 to 65535")
    expect(messageOf(() => parseBindSpec(':8000-70000', at))).toBe("port 70000 out of range in ':8000-70000'; ports are 1 to 65535")
    expect(messageOf(() => parseBindSpec(':http', at))).toBe("invalid port 'http' in ':http'; ports are numbers from 1 to 65535")
    expect(messageOf(() => parseBindSpec(':80-', at))).toBe("invalid port '' in ':80-'; ports are numbers from 1 to 65535")
  })

  test('missing port, empty address, empty list element', () => {
    const missing = (s: string): string => `missing port in bind address '${s}'; write ADDRESS:PORT, e.g. ':80' or '127.0.0.1:8080'`
    for (const s of ['1.2.3.4', '1.2.3.4:', ':', '[::1]', ':80,']) expect(messageOf(() => parseBindSpec(s, at))).toBe(missing(s))
    expect(messageOf(() => parseBindSpec('', at))).toBe("empty bind address; write ADDRESS:PORT, e.g. ':80'")
  })

  test('unsupported families and a bad fd', () => {
    expect(messageOf(() => parseBindSpec('udp@:53', at))).toBe("address family 'udp@' is not supported by edgelb in 'udp@:53'; use ipv4@, ipv6@, unix@, abns@ or fd@")
    expect(messageOf(() => parseBindSpec('fd@x', at))).toBe("'fd@' expects a file descriptor number, got 'x'")
    expect(messageOf(() => parseBindSpec('systemd@a:b', at))).toBe("'systemd@' expects the name systemd gives the socket (FileDescriptorName=, by default the .socket unit's name), got 'a:b'")
  })
})

describe('parseServerAddr', () => {
  test('host and port', () => {
    expect(parseServerAddr('10.0.0.1:80', at)).toEqual({ host: '10.0.0.1', port: 80 })
    expect(parseServerAddr('backend.local:8080', at)).toEqual({ host: 'backend.local', port: 8080 })
  })

  test('no port, or port 0: the port the client connected to (1.x server lines)', () => {
    expect(parseServerAddr('192.168.1.10', at)).toEqual({ host: '192.168.1.10' })
    expect(parseServerAddr('192.168.1.10:0', at)).toEqual({ host: '192.168.1.10' })
  })

  test('+N and -N: an offset from the client\'s port', () => {
    expect(parseServerAddr('10.0.0.1:+1000', at)).toEqual({ host: '10.0.0.1', portOffset: 1000 })
    expect(parseServerAddr('10.0.0.1:-1', at)).toEqual({ host: '10.0.0.1', portOffset: -1 })
  })

  test('IPv6 with and without port', () => {
    expect(parseServerAddr('::1', at)).toEqual({ host: '::1' })
    expect(parseServerAddr('[::1]', at)).toEqual({ host: '::1' })
    expect(parseServerAddr('[::1]:80', at)).toEqual({ host: '::1', port: 80 })
    expect(parseServerAddr('ipv6@::1:80', at)).toEqual({ host: '::1', port: 80 })
  })

  test('unix sockets', () => {
    expect(parseServerAddr('unix@/run/app.sock', at)).toEqual({ host: '', path: '/run/app.sock' })
    expect(parseServerAddr('/run/app.sock', at)).toEqual({ host: '', path: '/run/app.sock' })
  })

  test('no host, or *: the address the client connected to, as 0.0.0.0 (HAProxy\'s unset address)', () => {
    expect(parseServerAddr(':80', at)).toEqual({ host: '0.0.0.0', port: 80 })
    expect(parseServerAddr('*:80', at)).toEqual({ host: '0.0.0.0', port: 80 })
    expect(parseServerAddr(':', at)).toEqual({ host: '0.0.0.0' })
    expect(parseServerAddr('*', at)).toEqual({ host: '0.0.0.0' })
  })

  test('abns@: an abstract unix socket', () => {
    expect(parseServerAddr('abns@app', at)).toEqual({ host: '', path: '\0app' })
    expect(parseBindSpec('abns@web', at)).toEqual([{ family: 'unix', path: '\0web' }])
    expect(formatListenAddr({ family: 'unix', path: '\0web' })).toBe('abns@web')
    expect(messageOf(() => parseServerAddr('abns@', at))).toBe("'abns@' expects a name in 'abns@', e.g. abns@edgelb-web")
  })

  test('errors', () => {
    expect(messageOf(() => parseServerAddr('h:+x', at))).toBe("invalid port offset '+x' in 'h:+x'; write +N or -N")
    expect(messageOf(() => parseServerAddr('h:65536', at))).toBe("port 65536 out of range in 'h:65536'; ports are 1 to 65535")
    expect(messageOf(() => parseServerAddr('udp@x:1', at))).toBe("address family 'udp@' is not supported for servers in 'udp@x:1'; use ipv4@, ipv6@, unix@ or abns@")
  })
})

describe('formatListenAddr', () => {
  test('renders each family', () => {
    expect(formatListenAddr({ family: 'ipv4', host: '127.0.0.1', port: 80 })).toBe('127.0.0.1:80')
    expect(formatListenAddr({ family: 'ipv4', host: '', port: 80 })).toBe(':80')
    expect(formatListenAddr({ family: 'ipv6', host: '::1', port: 80 })).toBe('[::1]:80')
    expect(formatListenAddr({ family: 'unix', path: '/x.sock' })).toBe('unix@/x.sock')
    expect(formatListenAddr({ family: 'fd', fd: 3 })).toBe('fd@3')
    expect(formatListenAddr({ family: 'fd', fd: 3, name: 'web' })).toBe('systemd@web')
  })

  test('reads back through parseBindSpec', () => {
    for (const a of [{ family: 'ipv4', host: '10.0.0.1', port: 8080 }, { family: 'ipv6', host: '::1', port: 443 }, { family: 'unix', path: '/x' }, { family: 'fd', fd: 4 }] as const) {
      expect(parseBindSpec(formatListenAddr(a), at)).toEqual([a])
    }
  })
})

describe('parseIpv4Net and parseIpNet (monitor-net, forwardfor except; core/ip.ts inNet matches them)', () => {
  test('bits, dotted masks and bare addresses normalise to a.b.c.d/bits', () => {
    expect(parseIpv4Net('192.168.1.252/31', at)).toBe('192.168.1.252/31')
    expect(parseIpv4Net('10.0.0.0/255.255.255.0', at)).toBe('10.0.0.0/24')
    expect(parseIpv4Net('192.168.1.1', at)).toBe('192.168.1.1/32')
  })

  test('bad networks and masks', () => {
    expect(messageOf(() => parseIpv4Net('10.0.0.0/33', at))).toBe("invalid netmask '33' in '10.0.0.0/33'; write /0 to /32 or a dotted mask like 255.255.255.0")
    expect(messageOf(() => parseIpv4Net('10.0.0.0/255.0.255.0', at))).toBe("invalid netmask '255.0.255.0' in '10.0.0.0/255.0.255.0'; write /0 to /32 or a dotted mask like 255.255.255.0")
    expect(messageOf(() => parseIpv4Net('10.0.0/8', at))).toBe("invalid network '10.0.0/8'; write an IPv4 address with an optional /bits, e.g. 192.168.1.252/31")
    expect(messageOf(() => parseIpv4Net('10.0.0.256', at))).toBe("invalid network '10.0.0.256'; write an IPv4 address with an optional /bits, e.g. 192.168.1.252/31")
  })

  test('except also takes IPv6 networks; IPv4 ones read as monitor-net does', () => {
    expect(parseIpNet('10.0.0.0/255.255.255.0', at)).toBe('10.0.0.0/24')
    expect(parseIpNet('2001:db8::/32', at)).toBe('2001:db8::/32')
    expect(parseIpNet('::1', at)).toBe('::1/128')
    expect(messageOf(() => parseIpNet('2001:db8::/129', at))).toBe("invalid prefix length '129' in '2001:db8::/129'; write /0 to /128")
    expect(messageOf(() => parseIpNet('2001:db8:::1', at))).toBe("invalid network '2001:db8:::1'; write an IPv4 or IPv6 address with an optional /bits, e.g. 192.168.1.0/24 or 2001:db8::/32")
    expect(messageOf(() => parseIpNet('10.0.0/8', at))).toBe("invalid network '10.0.0/8'; write an IPv4 address with an optional /bits, e.g. 192.168.1.252/31")
  })
})
