/**
 * Peers between edgelb processes: stickiness learned on one node holds on the other, each
 * node's `show table` shows the other's entries, and a restarted node is taught everything.
 */
import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { cfg, freePort, spawnEdgelb, within, type Proc } from '../support/harness.ts'
import { bodyOf, rawExchange, startHttpServer } from '../support/http-harness.ts'

/** What the runtime API answers to `text` (one command, then a half-close, as socat sends it). */
async function ask(path: string, text: string): Promise<string> {
  let out = ''
  const { promise, resolve } = Promise.withResolvers<void>()
  const s = await Bun.connect({ unix: path, socket: { data(_s, c) { out += c.toString('latin1') }, close() { resolve() }, error() {} } })
  s.write(text)
  s.shutdown()
  await promise
  return out
}

function config(ports: { e1: number; e2: number }, origins: { s1: number; s2: number }): string {
  return cfg`
    global
      stats socket unix@admin.sock mode 600 level admin
    defaults
      mode http
      timeout connect 1s
      timeout client 5s
      timeout server 5s
    peers mesh
      peer e1 127.0.0.1:${ports.e1}
      peer e2 127.0.0.1:${ports.e2}
    listen web
      bind 127.0.0.1:0
      balance roundrobin
      stick-table type string len 32 size 1k expire 10m peers mesh store server_id,gpc0,http_req_cnt
      http-request track-sc0 req.hdr(x-client)
      stick on req.hdr(x-client)
      server s1 127.0.0.1:${origins.s1}
      server s2 127.0.0.1:${origins.s2}`
}

const get = async (lb: Proc, client: string): Promise<string> =>
  bodyOf(await rawExchange(lb.ports.get('web')!, `GET / HTTP/1.1\r\nHost: x\r\nx-client: ${client}\r\nConnection: close\r\n\r\n`))

const table = (lb: Proc): Promise<string> => ask(join(lb.dir, 'admin.sock'), 'show table web\n')

/** Asks `show table web` of `lb` until it matches `re` or `ms` passed; returns the last answer
 *  and how long it took. */
async function tableUntil(lb: Proc, re: RegExp, ms: number): Promise<{ text: string; ms: number }> {
  const t0 = performance.now()
  let text = await table(lb)
  while (!re.test(text) && performance.now() - t0 < ms) text = await table(lb)
  return { text, ms: performance.now() - t0 }
}

test('a client stuck to a server through one edgelb stays there through the other; a restarted node is resynced', async () => {
  await using s1 = startHttpServer('s1')
  await using s2 = startHttpServer('s2')
  const ports = { e1: freePort(), e2: freePort() }
  const text = config(ports, { s1: s1.port, s2: s2.port })
  await using e1 = await spawnEdgelb(text, { args: ['-L', 'e1'] })
  let e2 = await spawnEdgelb(text, { args: ['-L', 'e2'] })
  try {
    await e1.waitStderr(/peers mesh: peer e2: connected/)
    // c0 takes s1 on e1, so c1 is given s2 there (roundrobin); on e2, roundrobin alone would
    // alternate: every answer from s2 is the stick entry at work.
    expect(await get(e1, 'c0')).toBe('s1')
    expect(await get(e1, 'c1')).toBe('s2')
    const seen = await tableUntil(e2, /key=c1 .*server_id=2/, 1000)
    expect(seen.text).toMatch(/key=c1 .*server_id=2/)
    expect(seen.ms).toBeLessThan(1000)
    for (let i = 0; i < 4; i++) expect(await get(e2, 'c1')).toBe('s2')
    // And back: d1 stuck on e2 holds on e1.
    expect(await get(e2, 'd0')).toBeOneOf(['s1', 's2'])
    const d1 = await get(e2, 'd1')
    expect((await tableUntil(e1, /key=d1 /, 1000)).text).toContain('key=d1 ')
    for (let i = 0; i < 4; i++) expect(await get(e1, 'd1')).toBe(d1)
    // Each side shows the other's counts: c1 made 1 request on e1 and 4 on e2.
    expect((await tableUntil(e1, /key=c1 .*http_req_cnt=5/, 1000)).text).toMatch(/key=c1 .*http_req_cnt=5/)

    // e2 restarts with nothing: e1 teaches it every entry.
    e2.signal('SIGKILL')
    await e2.exited()
    await e2[Symbol.asyncDispose]()
    const restart = performance.now()
    e2 = await spawnEdgelb(text, { args: ['-L', 'e2'] })
    await e2.waitStderr(/peers mesh: resynced from peer e1/, 10_000)
    expect(performance.now() - restart).toBeLessThan(10_000)
    const after = await table(e2)
    for (const k of ['c0', 'c1', 'd0', 'd1']) expect(after).toContain(`key=${k} `)
    expect(await get(e2, 'c1')).toBe('s2')
  } finally {
    await e2[Symbol.asyncDispose]()
  }
}, 30_000)

test('a binary upgrade (SIGURG) hands the tables from the old process to the new one', async () => {
  const port = freePort()
  const text = cfg`
    global
      stats socket unix@admin.sock mode 600 level admin
    defaults
      mode http
      timeout connect 1s
      timeout client 5s
      timeout server 5s
    peers mesh
      peer e1 127.0.0.1:${freePort()}
      peer e2 127.0.0.1:${freePort()}
    frontend web
      bind 127.0.0.1:${port}
      stick-table type string len 32 size 1k expire 10m peers mesh store gpc0,http_req_cnt
      http-request track-sc0 req.hdr(x-client)
      http-request return status 200 content-type text/plain lf-string "%[req.hdr(x-client),table_http_req_cnt(web)]"`
  await using p = await spawnEdgelb(text, { args: ['-L', 'e1'] })
  let newPid = 0
  try {
    const count = async (c: string): Promise<string> => (await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-client': c, connection: 'close' } })).text()
    expect([await count('u1'), await count('u2'), await count('u2')]).toEqual(['1', '1', '2'])
    p.signal('SIGURG')
    const line = await p.waitStderr(/^edgelb: upgrade: process \d+ serves now/, 20000)
    newPid = Number(/process (\d+)/.exec(line)![1])
    await p.waitStderr(/peers mesh: (resynced from|taught by) the previous process/, 10000)
    await p.waitStderr(/^edgelb: peers mesh: tables handed over to the next process$/)
    await within(10000, p.proc.exited, 'the old process to exit')
    // The new process counts on: its table came from the old one.
    expect([await count('u1'), await count('u2')]).toEqual(['2', '3'])
  } finally {
    if (newPid > 0) try { process.kill(newPid, 'SIGKILL') } catch { /* gone */ }
  }
}, 30_000)

test('a reload (SIGUSR2) keeps the tables and an unchanged peers section keeps its connection', async () => {
  await using s1 = startHttpServer('s1')
  await using s2 = startHttpServer('s2')
  const ports = { e1: freePort(), e2: freePort() }
  const text = config(ports, { s1: s1.port, s2: s2.port })
  await using e1 = await spawnEdgelb(text, { args: ['-L', 'e1'] })
  await using e2 = await spawnEdgelb(text, { args: ['-L', 'e2'] })
  await e1.waitStderr(/peers mesh: peer e2: connected/)
  expect(await get(e1, 'r0')).toBe('s1')
  expect(await get(e1, 'r1')).toBe('s2')
  const closedBefore = e1.stderr.filter((l) => /connection closed/.test(l)).length
  e1.signal('SIGUSR2')
  await e1.waitStderr(/^edgelb: reloaded in/, 10000)
  expect(await table(e1)).toMatch(/key=r1 .*server_id=2/)
  expect(await get(e1, 'r1')).toBe('s2')
  // Written after the reload, it still reaches e2 on the same connection.
  expect(await get(e1, 'r2')).toBeOneOf(['s1', 's2'])
  expect((await tableUntil(e2, /key=r2 /, 1000)).text).toContain('key=r2 ')
  expect(e1.stderr.filter((l) => /connection closed/.test(l)).length).toBe(closedBefore)
  const peers = await ask(join(e1.dir, 'admin.sock'), 'show peers\n')
  expect(peers).toMatch(/^mesh: local=e1 listening=\d+ resynced=1\n  e2: addr=127\.0\.0\.1:\d+ state=established (incoming|outgoing)\n    table web: update=\d+ acked=\d+\n\n$/)
  expect(await ask(join(e1.dir, 'admin.sock'), 'show info\n')).toContain('ConnectedPeers: 1\n')
}, 30_000)
