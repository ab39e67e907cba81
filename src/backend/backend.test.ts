// A backend on its own: which server a session gets, when it waits and in which queue, who gets a
// slot that frees, where its connection goes, and when a retry goes elsewhere (redispatch).
import { describe, expect, test } from 'bun:test'
import { cfg, parseConfig } from '../../test/support/config.ts'
import { Backend } from './backend.ts'
import type { WaitQueue, Waiter } from './queue.ts'
import type { Server } from './server.ts'

/** Backend `web` of `text`, as the engine makes it. */
function backend(text: string, fullconn = 0): Backend {
  return new Backend(parseConfig(text).proxies.find((p) => p.name === 'web')!, { fullconn })
}

/** A session waiting for a server; remembers the servers it was granted. */
class Client implements Waiter {
  queuedAt = 0
  _qPrev: Waiter | null = null
  _qNext: Waiter | null = null
  _queue: WaitQueue | null = null
  readonly granted: string[] = []
  grant(server: Server): void {
    this.granted.push(server.name)
  }
}

/** The server names (or assignment kinds) of `n` new sessions. */
function assignMany(be: Backend, n: number): string[] {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const a = be.assign(new Client())
    out.push(a.kind === 'server' ? a.server.name : a.kind)
  }
  return out
}

const srv = (be: Backend, name: string): Server => be.findServer(name)!

/** Marks `name` down, as a failed check would, and tells the backend. */
function down(be: Backend, name: string): number {
  srv(be, name).up = false
  return be.serverStateChanged(srv(be, name))
}

describe('assignment', () => {
  test('the balancer picks the server, and each connection is counted on it', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1\n  server b 127.0.0.1:2\n')
    expect(assignMany(be, 4)).toEqual(['a', 'b', 'a', 'b'])
    expect([srv(be, 'a').cur, srv(be, 'a').counters.total, srv(be, 'a').counters.maxCur]).toEqual([2, 2, 2])
    be.release(srv(be, 'a'))
    expect([srv(be, 'a').cur, srv(be, 'a').counters.maxCur]).toEqual([1, 2])
  })

  test('a full server is passed over; when every server is full the session waits in the backend queue', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1 maxconn 1\n  server b 127.0.0.1:2 maxconn 1\n')
    expect(assignMany(be, 2).sort()).toEqual(['a', 'b'])
    const late = new Client()
    expect(be.assign(late)).toEqual({ kind: 'queued' })
    expect(be.queue.length).toBe(1)
    expect(be.counters.queueMax).toBe(1)
    be.release(srv(be, 'b'))
    expect(late.granted).toEqual(['b'])
    expect(be.queue.length).toBe(0)
    expect(srv(be, 'b').cur).toBe(1)
  })

  test('with no usable server the answer is none, counted as a request without a server', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1\n')
    down(be, 'a')
    expect(be.assign(new Client())).toEqual({ kind: 'none' })
    expect(be.counters.noServer).toBe(1)
    expect(be.queue.length).toBe(0)
  })

  test('a hashed request waits for its own server when it is full, up to that server\'s maxqueue', () => {
    const be = backend(cfg`
      backend web
        balance uri
        server a 127.0.0.1:1 maxconn 1 maxqueue 1
        server b 127.0.0.1:2 maxconn 1 maxqueue 1`)
    const first = be.assign(new Client(), { hashKey: '/same' })
    expect(first.kind).toBe('server')
    const mine = first.kind === 'server' ? first.server : undefined!
    const other = be.servers.find((s) => s !== mine)!
    expect(be.assign(new Client(), { hashKey: '/same' })).toEqual({ kind: 'queued' })
    expect(mine.queue.length).toBe(1)
    expect(be.assign(new Client(), { hashKey: '/same' })).toEqual({ kind: 'queue-full' })
    expect([other.cur, other.queue.length, be.queue.length]).toEqual([0, 0, 0])
  })

  test('a slot that frees goes to the older of the server\'s queue head and the backend queue head', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1 maxconn 1\n')
    const a = srv(be, 'a')
    expect(assignMany(be, 1)).toEqual(['a'])
    const [own, shared] = [new Client(), new Client()]
    a.queue.push(own, 200)
    be.queue.push(shared, 100)
    be.release(a)
    expect([shared.granted, own.granted]).toEqual([['a'], []])
    be.release(a)
    expect(own.granted).toEqual(['a'])
  })

  test('a waiter that gives up leaves whichever queue holds it', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1 maxconn 1\n')
    assignMany(be, 1)
    const w = new Client()
    be.assign(w)
    expect(be.queue.length).toBe(1)
    be.unqueue(w)
    expect(be.queue.length).toBe(0)
    be.release(srv(be, 'a'))
    expect(w.granted).toEqual([])
  })
})

describe('persistence (prefer) and redispatch (avoid)', () => {
  const two = 'backend web\n  balance first\n  server a 127.0.0.1:1\n  server b 127.0.0.1:2\n'

  test('the preferred server takes the session while it is usable', () => {
    const be = backend(two)
    const got = be.assign(new Client(), { prefer: srv(be, 'b') })
    expect(got.kind === 'server' && got.server.name).toBe('b')
  })

  test('a preferred server that is down is used only when forced, and never in maintenance', () => {
    const be = backend(two)
    down(be, 'b')
    const pick = (force: boolean): string | false => {
      const got = be.assign(new Client(), { prefer: srv(be, 'b'), force })
      return got.kind === 'server' && got.server.name
    }
    expect(pick(false)).toBe('a')
    expect(pick(true)).toBe('b')
    srv(be, 'b').admin = 'maint'
    be.serverStateChanged(srv(be, 'b'))
    expect(pick(true)).toBe('a')
  })

  test('a full preferred server queues the session on itself', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1\n  server b 127.0.0.1:2 maxconn 1\n')
    const b = srv(be, 'b')
    be.assign(new Client(), { prefer: b })
    const w = new Client()
    expect(be.assign(w, { prefer: b })).toEqual({ kind: 'queued' })
    expect(b.queue.length).toBe(1)
    be.release(b)
    expect(w.granted).toEqual(['b'])
  })

  test('a deterministic balancer asked to avoid the server that failed gives another one', () => {
    const be = backend(two)
    const got = be.assign(new Client(), { avoid: srv(be, 'a') })
    expect(got.kind === 'server' && got.server.name).toBe('b')
  })
})

describe('retries and redispatch', () => {
  /** Which of retries 1..n go to another server (each retry on a fresh connection to `a`). */
  function redispatched(lines: string, n: number): boolean[] {
    const be = backend(`backend web\n${lines}\n  server a 127.0.0.1:1\n  server b 127.0.0.1:2\n`)
    const a = srv(be, 'a')
    const out: boolean[] = []
    for (let retry = 1; retry <= n; retry++) {
      be.take(a)
      const moved = be.retry(a, retry)
      out.push(moved)
      if (!moved) be.release(a)
    }
    expect(a.cur).toBe(0)
    expect([a.counters.wretr, be.counters.retries]).toEqual([n, n])
    expect([a.counters.wredis, be.counters.redispatches]).toEqual([out.filter(Boolean).length, out.filter(Boolean).length])
    return out
  }

  test('without option redispatch every retry stays on its server', () => {
    expect(redispatched('  retries 3', 3)).toEqual([false, false, false])
  })

  test('option redispatch moves the last retry', () => {
    expect(redispatched('  retries 3\n  option redispatch', 3)).toEqual([false, false, true])
  })

  test('option redispatch N moves every Nth retry', () => {
    expect(redispatched('  retries 4\n  option redispatch 2', 4)).toEqual([false, true, false, true])
  })

  test('a backend with one server never redispatches', () => {
    const be = backend('backend web\n  retries 3\n  option redispatch\n  server a 127.0.0.1:1\n')
    be.take(srv(be, 'a'))
    expect(be.retry(srv(be, 'a'), 3)).toBe(false)
  })

  test('a failed connect is counted on the server and the backend, and seen by passive health', () => {
    const be = backend('backend web\n  dispatch 127.0.0.1:9\n  server a 127.0.0.1:1\n')
    const seen: string[] = []
    srv(be, 'a').observer = (s, r) => { seen.push(`${s.name} ${r}`) }
    be.connectFailed(srv(be, 'a'))
    be.connectFailed(null)
    expect([srv(be, 'a').counters.econ, be.counters.connectErrors]).toEqual([1, 2])
    expect(seen).toEqual(['a l4-err'])
  })
})

describe('where a connection goes', () => {
  const be = backend(cfg`
    backend web
      source 10.9.9.9
      dispatch 10.0.0.9:80
      server fixed 10.0.0.1:8080
      server same-port 10.0.0.2
      server offset 10.0.0.3:+1000
      server own-source 10.0.0.4:80 source 10.1.1.1
      server local unix@/run/app.sock
      server abstract abns@app
      server client-dst :1883
      server client-dst-port *
      server zero 0.0.0.0:8443`)
  const dst = { dstAddr: '10.0.0.100', dstPort: 443 }

  test('to the server\'s address, from the backend\'s source address', () => {
    expect(be.targetOf(srv(be, 'fixed'), dst)).toEqual({ host: '10.0.0.1', port: 8080, localAddress: '10.9.9.9' })
  })

  test('without a port, to the port the client connected to, plus the offset', () => {
    expect(be.targetOf(srv(be, 'same-port'), dst)).toMatchObject({ host: '10.0.0.2', port: 443 })
    expect(be.targetOf(srv(be, 'offset'), dst)).toMatchObject({ host: '10.0.0.3', port: 1443 })
  })

  test('from the server\'s own source address when it has one', () => {
    expect(be.targetOf(srv(be, 'own-source'), dst)).toEqual({ host: '10.0.0.4', port: 80, localAddress: '10.1.1.1' })
  })

  test('to a unix socket', () => {
    expect(be.targetOf(srv(be, 'local'), dst)).toEqual({ path: '/run/app.sock' })
  })

  test('to an abstract unix socket', () => {
    expect(be.targetOf(srv(be, 'abstract'), dst)).toEqual({ path: '\0app' })
  })

  test('without an address (:PORT, *, 0.0.0.0), to the address the client connected to', () => {
    expect(be.targetOf(srv(be, 'client-dst'), dst)).toEqual({ host: '10.0.0.100', port: 1883, localAddress: '10.9.9.9' })
    expect(be.targetOf(srv(be, 'client-dst-port'), dst)).toEqual({ host: '10.0.0.100', port: 443, localAddress: '10.9.9.9' })
    expect(be.targetOf(srv(be, 'zero'), dst)).toEqual({ host: '10.0.0.100', port: 8443, localAddress: '10.9.9.9' })
  })

  test('to the dispatch address when there is no server', () => {
    expect(be.targetOf(null, dst)).toEqual({ host: '10.0.0.9', port: 80, localAddress: '10.9.9.9' })
  })
})

describe('dynamic limits (minconn, maxconn, fullconn)', () => {
  test('a server accepts max(minconn, maxconn × beconn / fullconn) until the backend is full', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1 minconn 2 maxconn 10\n', 100)
    const a = srv(be, 'a')
    expect(a.maxconn).toBe(2)
    for (let i = 0; i < 50; i++) be.enter()
    expect(a.maxconn).toBe(5)
    for (let i = 0; i < 50; i++) be.enter()
    expect(a.maxconn).toBe(10)
    for (let i = 0; i < 70; i++) be.leave()
    expect(a.maxconn).toBe(3)
    expect(be.counters.total).toBe(100)
  })

  test('a limit that rises as sessions arrive admits the oldest waiter first', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1 minconn 1 maxconn 10\n', 20)
    const [first, second] = [new Client(), new Client()]
    be.enter()
    expect(be.assign(first).kind).toBe('server')
    be.enter()
    expect(be.assign(second)).toEqual({ kind: 'queued' })
    be.enter()
    expect(second.granted).toEqual([])
    be.enter()
    expect(second.granted).toEqual(['a'])
  })

  test('a server whose limit is raised at run time (agent maxconn) serves its waiters', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1 maxconn 1\n')
    const a = srv(be, 'a')
    assignMany(be, 1)
    const w = new Client()
    be.assign(w)
    a.maxconnBase = 2
    be.limitChanged(a)
    expect(a.maxconn).toBe(2)
    expect(w.granted).toEqual(['a'])
  })
})

describe('server state changes', () => {
  test('a server that goes down hands its queue to the backend queue, and says how many moved', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1 maxconn 1\n  server b 127.0.0.1:2 maxconn 1\n')
    const [a, b] = [srv(be, 'a'), srv(be, 'b')]
    be.assign(new Client(), { prefer: a })
    be.assign(new Client(), { prefer: b })
    const w = new Client()
    be.assign(w, { prefer: a })
    expect(a.queue.length).toBe(1)
    expect(down(be, 'a')).toBe(1)
    expect([a.queue.length, be.queue.length]).toEqual([0, 1])
    be.release(b)
    expect(w.granted).toEqual(['b'])
  })

  test('a server that comes back takes the sessions waiting in the backend queue', () => {
    const be = backend('backend web\n  server a 127.0.0.1:1\n  server b 127.0.0.1:2 maxconn 1\n')
    down(be, 'a')
    assignMany(be, 1)
    const w = new Client()
    expect(be.assign(w)).toEqual({ kind: 'queued' })
    srv(be, 'a').up = true
    expect(be.serverStateChanged(srv(be, 'a'))).toBe(1)
    expect(w.granted).toEqual(['a'])
    expect(assignMany(be, 2)).toEqual(['a', 'a'])
  })
})
