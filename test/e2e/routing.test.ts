// Where sessions go: every balance algorithm through the proxy, dispatch, servers without a
// port (the client's destination port, +N offsets), and per-server source addresses (guide §6).
import { expect, test } from 'bun:test'
import { addressBytes } from '../../src/core/ip.ts'
import { countNames } from '../conformance/lb.ts'
import { rdpRequest } from '../support/rules.ts'
import { cfg, connectClient, connectTagged, startLb, startServer, tagOf, tagsOf, until, type TestConn } from '../support/harness.ts'

const TIMEOUTS = `
  timeout client 2s
  timeout server 2s
  timeout connect 1s`

for (const balance of ['roundrobin', 'static-rr']) {
  test(`${balance} honours weights 3:1`, async () => {
    await using a = startServer('sa')
    await using b = startServer('sb')
    await using lb = await startLb(cfg`
      listen app
        bind 127.0.0.1:0
        balance ${balance}
        server sa 127.0.0.1:${a.port} weight 3
        server sb 127.0.0.1:${b.port} weight 1` + TIMEOUTS)
    // 40 sessions one after another: 10 whole turns of sa sa sb sa.
    expect(countNames(await tagsOf(lb.port(), 40))).toEqual({ sa: 30, sb: 10 })
  })
}

test('leastconn sends new sessions to the server with the fewest live ones', async () => {
  await using a = startServer('sa')
  await using b = startServer('sb')
  await using c = startServer('sc')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      balance leastconn
      server sa 127.0.0.1:${a.port}
      server sb 127.0.0.1:${b.port}
      server sc 127.0.0.1:${c.port}` + TIMEOUTS)
  const held: (TestConn & Disposable)[] = []
  const hold = async (): Promise<string> => {
    const x = await connectTagged(lb.port())
    held.push(x)
    return x.text()
  }
  try {
    const first = countNames([await hold(), await hold(), await hold(), await hold(), await hold(), await hold()])
    expect(first).toEqual({ sa: 2, sb: 2, sc: 2 })
    // sb's two sessions end: the next two go to sb, whichever way the others would rotate.
    for (const x of held.filter((h) => h.text() === 'sb')) { x.shutdown(); await x.waitClosed() }
    await until(() => lb.backend('app').findServer('sb')!.cur === 0, 'sb to be free')
    expect([await hold(), await hold()]).toEqual(['sb', 'sb'])
  } finally {
    for (const x of held) x[Symbol.dispose]()
  }
})

test('first fills the first server up to its maxconn before using the next', async () => {
  await using a = startServer('sa')
  await using b = startServer('sb')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      balance first
      server sa 127.0.0.1:${a.port} maxconn 2
      server sb 127.0.0.1:${b.port} maxconn 2` + TIMEOUTS)
  // Sequential short sessions all land on the first server.
  expect(await tagsOf(lb.port(), 3)).toEqual(['sa', 'sa', 'sa'])
  const held: (TestConn & Disposable)[] = []
  try {
    for (let i = 0; i < 4; i++) held.push(await connectTagged(lb.port()))
    expect(held.map((x) => x.text())).toEqual(['sa', 'sa', 'sb', 'sb'])
  } finally {
    for (const x of held) x[Symbol.dispose]()
  }
})

test('source keeps each client address on one server, and spreads addresses', async () => {
  const servers = [startServer('sa'), startServer('sb'), startServer('sc')]
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      balance source
      server sa 127.0.0.1:${servers[0]!.port}
      server sb 127.0.0.1:${servers[1]!.port}
      server sc 127.0.0.1:${servers[2]!.port}` + TIMEOUTS)
  try {
    const byAddr = new Map<string, string>()
    for (let i = 2; i <= 9; i++) {
      const addr = `127.0.0.${i}`
      const t = await tagsOf(lb.port(), 3, { localAddress: addr })
      expect(new Set(t).size).toBe(1)
      byAddr.set(addr, t[0]!)
      // The server is the one the balancer places those 4 address bytes on (HAProxy's key).
      expect(lb.backend('app').lb.pick({ hashKey: addressBytes(addr)! })!.name).toBe(t[0]!)
    }
    // The servers saw the real client addresses, so the hash had them.
    expect(new Set(servers.flatMap((s) => s.conns.map(() => s.name))).size).toBeGreaterThan(1)
    expect(new Set(byAddr.values()).size).toBeGreaterThan(1)
    // Stable over time too: the first address again.
    expect(await tagOf(lb.port(), { localAddress: '127.0.0.2' })).toBe(byAddr.get('127.0.0.2')!)
  } finally {
    for (const s of servers) await s[Symbol.asyncDispose]()
  }
})

test('rdp-cookie keeps each RDP user on one server once tcp-request content has waited for the cookie', async () => {
  const servers = [startServer('sa'), startServer('sb'), startServer('sc')]
  await using lb = await startLb(cfg`
    listen rdp
      bind 127.0.0.1:0
      tcp-request inspect-delay 5s
      tcp-request content accept if RDP_COOKIE
      balance rdp-cookie
      server sa 127.0.0.1:${servers[0]!.port}
      server sb 127.0.0.1:${servers[1]!.port}
      server sc 127.0.0.1:${servers[2]!.port}` + TIMEOUTS)
  const serverOf = async (user: string): Promise<string> => {
    using c = await connectClient(lb.port())
    const req = rdpRequest(`Cookie: mstshash=${user}\r\n`)
    // The connection request in two pieces: the balancer must wait for the whole cookie line.
    await c.write(req.subarray(0, 20))
    await c.write(req.subarray(20))
    await c.changed.until(() => c.received >= 2, 'a server tag')
    return c.text().slice(0, 2)
  }
  try {
    const byUser = new Map<string, string>()
    // 10 users: a rotation (what runs without the cookie) would move every one of them on the second pass.
    for (let i = 0; i < 10; i++) byUser.set(`user${i}`, await serverOf(`user${i}`))
    for (const [user, server] of byUser) expect([user, await serverOf(user)]).toEqual([user, server])
    expect(new Set(byUser.values()).size).toBeGreaterThan(1)
  } finally {
    for (const s of servers) await s[Symbol.asyncDispose]()
  }
})

test('random uses every server', async () => {
  await using a = startServer('sa')
  await using b = startServer('sb')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      balance random
      server sa 127.0.0.1:${a.port}
      server sb 127.0.0.1:${b.port}` + TIMEOUTS)
  const c = countNames(await tagsOf(lb.port(), 60))
  // Each gets 30 ± a lot; below 10 has a probability far under 1e-5.
  expect(c['sa']!).toBeGreaterThanOrEqual(10)
  expect(c['sb']!).toBeGreaterThanOrEqual(10)
})

test('dispatch ADDR sends every session to that address when the backend has no servers', async () => {
  await using d = startServer('dispatched')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      mode tcp
      dispatch 127.0.0.1:${d.port}` + TIMEOUTS)
  expect(await tagsOf(lb.port(), 2)).toEqual(['dispatched', 'dispatched'])
  expect(d.accepted).toBe(2)
})

test('a server without a port gets the port the client connected to; +N offsets it', async () => {
  // The proxy listens on 127.0.0.1:P; the servers live on 127.0.0.2:P and 127.0.0.3:P+1.
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      balance roundrobin
      server same 127.0.0.2
      server plus1 127.0.0.3:+1` + TIMEOUTS)
  const p = lb.port()
  await using same = startServer('same', 'tag', { host: '127.0.0.2', port: p })
  await using plus1 = startServer('plus1', 'tag', { host: '127.0.0.3', port: p + 1 })
  expect((await tagsOf(lb.port(), 4)).sort()).toEqual(['plus1', 'plus1', 'same', 'same'])
  expect(same.accepted).toBe(2)
  expect(plus1.accepted).toBe(2)
})

test('per-server source: the backend sees connections from the configured address (guide §6)', async () => {
  await using srv = startServer('s1')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      balance roundrobin
      server from2 127.0.0.1:${srv.port} source 127.0.0.2
      server from3 127.0.0.1:${srv.port} source 127.0.0.3` + TIMEOUTS)
  await tagsOf(lb.port(), 4)
  expect(srv.conns.map((c) => c.remoteAddress.replace(/^::ffff:/, ''))).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.2', '127.0.0.3'])
})

test('backend-wide source applies to servers without their own', async () => {
  await using srv = startServer('s1')
  await using lb = await startLb(cfg`
    listen app
      bind 127.0.0.1:0
      source 127.0.0.4
      server s1 127.0.0.1:${srv.port}` + TIMEOUTS)
  await tagsOf(lb.port(), 1)
  expect(srv.conns[0]!.remoteAddress.replace(/^::ffff:/, '')).toBe('127.0.0.4')
})
