/**
 * The built-in load generator, one process's share: `connections` clients, each with one request
 * in flight (no pipelining), keep-alive or one connection per request, as fast as answers come or
 * at a fixed rate.
 *
 * At a fixed rate each client has a schedule (request k is due at start + phase + k × interval)
 * and a late answer does not move it: the next request goes out at once, and its latency counts
 * from when it was due, not from when it could be sent. That is how wrk2 corrects coordinated
 * omission; without it a stalled server makes the stall look like one slow request.
 *
 * Per client:
 *   connecting --open--> sending --written--> waiting --answer--> (keep-alive) sending
 *        ^                                         |--answer, close--> connecting
 *        `--------- error (counted by kind) -------'
 */
import { now } from '../core/clock.ts'
import { connect, type Sock, type SockHandlers } from '../net/runtime.ts'
import { LatencyHistogram } from './histogram.ts'
import { BAD_RESPONSE, MessageReader, NEED_MORE } from './message-reader.ts'
import { noErrors, type ErrorCounts, type LoadOptions, type LoadProgress, type LoadResult } from './types.ts'

class Client {
  readonly run: LoadRun
  readonly target: number
  sock: Sock<Client> | null = null
  readonly reader = new MessageReader('response')
  /** TCP answers: bytes still expected. */
  tcpLeft = 0
  /** When the request in flight was sent (or due, at a fixed rate); -1 when none. */
  startedAt = -1
  /** Fixed rate: when the next request is due. */
  due = 0
  /** The request's bytes not written yet. */
  unsent: Uint8Array | null = null
  timer: ReturnType<typeof setTimeout> | undefined
  closing = false

  constructor(run: LoadRun, target: number) {
    this.run = run
    this.target = target
  }
}

export class LoadRun {
  readonly opts: LoadOptions
  readonly histogram = new LatencyHistogram()
  readonly errors: ErrorCounts = noErrors()
  readonly statuses = new Map<number, number>()
  readonly clients: Client[] = []
  readonly request: Uint8Array
  requests = 0
  bytes = 0
  /** Requests handed out (count mode stops handing out at `opts.requests`). */
  issued = 0
  connectionsOpened = 0
  startedAt = 0
  endedAt = 0
  stopped = false
  readonly interval: number
  #deadline: ReturnType<typeof setTimeout> | undefined
  #sweep: ReturnType<typeof setInterval> | undefined
  #resolve!: (r: LoadResult) => void
  readonly done: Promise<LoadResult>

  constructor(opts: LoadOptions) {
    this.opts = opts
    this.request = opts.protocol === 'tcp' ? new TextEncoder().encode('GET\n') : httpRequest(opts)
    this.interval = opts.rate > 0 ? (opts.connections * 1000) / opts.rate : 0
    this.done = new Promise((r) => { this.#resolve = r })
  }

  start(): void {
    this.startedAt = now()
    const n = this.opts.connections
    for (let i = 0; i < n; i++) {
      const c = new Client(this, i % this.opts.targets.length)
      // spread the clients' schedules over one interval, so they do not fire together
      c.due = this.startedAt + (this.interval * i) / n
      this.clients.push(c)
      openClient(c)
    }
    if (this.opts.durationMs > 0 && Number.isFinite(this.opts.durationMs)) this.#deadline = setTimeout(() => this.finish(), this.opts.durationMs)
    this.#sweep = setInterval(() => this.#expire(), Math.min(250, Math.max(10, this.opts.timeoutMs / 4)))
  }

  progress(): LoadProgress {
    let e = 0
    for (const k in this.errors) e += this.errors[k as keyof ErrorCounts]
    return { requests: this.requests, errors: e, bytes: this.bytes }
  }

  /** Whether a client may send one more request (count mode: the budget is not spent). */
  take(): boolean {
    if (this.stopped) return false
    if (this.opts.requests > 0 && this.issued >= this.opts.requests) return false
    this.issued++
    return true
  }

  /** Count mode: every handed-out request came back (answered or failed). */
  checkAllDone(): void {
    if (this.opts.requests > 0 && this.requests + this.failed >= this.opts.requests) this.finish()
  }

  /** Requests that failed for good (count mode counts them towards the total). */
  failed = 0

  finish(): void {
    if (this.stopped) return
    this.stopped = true
    this.endedAt = now()
    clearTimeout(this.#deadline)
    clearInterval(this.#sweep)
    for (const c of this.clients) {
      clearTimeout(c.timer)
      c.closing = true
      c.sock?.terminate()
    }
    for (const s of this.lingering.keys()) s.terminate()
    this.lingering.clear()
    const statuses: Record<string, number> = {}
    for (const [k, v] of this.statuses) statuses[String(k)] = v
    this.#resolve({
      requests: this.requests,
      bytes: this.bytes,
      elapsedMs: this.endedAt - this.startedAt,
      errors: { ...this.errors },
      statuses,
      latency: this.histogram.toJSON(),
      connectionsOpened: this.connectionsOpened,
    })
  }

  /** Sockets whose server said it closes, waiting for its FIN, since when. */
  readonly lingering = new Map<Sock<Client>, number>()

  #expire(): void {
    const limit = now() - this.opts.timeoutMs
    for (const [s, since] of this.lingering) {
      if (since >= limit) break // in insertion order: the rest are younger
      this.lingering.delete(s)
      s.terminate() // it said close, but did not
    }
    for (const c of this.clients) {
      if (c.startedAt >= 0 && c.startedAt < limit && c.sock !== null) {
        this.errors.timeout++
        this.failed++
        c.startedAt = -1
        this.checkAllDone()
        reconnect(c)
      }
    }
  }
}

function httpRequest(o: LoadOptions): Uint8Array {
  const text = `GET ${o.path} HTTP/1.1\r\nHost: ${o.host}\r\nUser-Agent: edgelb-bench\r\n${o.keepAlive ? '' : 'Connection: close\r\n'}\r\n`
  return new TextEncoder().encode(text)
}

function openClient(c: Client): void {
  const run = c.run
  if (run.stopped) return
  if (run.opts.requests > 0 && run.issued >= run.opts.requests) return
  const t = run.opts.targets[c.target]!
  c.closing = false
  run.connectionsOpened++
  connect({ host: t.host, port: t.port }, c, clientHandlers)
}

/** Drops the connection (if any: closed gracefully after a whole answer, at once after an
 *  error) and opens a new one. */
function reconnect(c: Client, graceful = false): void {
  if (c.sock !== null) {
    c.closing = true
    const s = c.sock
    c.sock = null
    if (graceful) s.end()
    else s.terminate()
  }
  openClient(c)
}

function linger(c: Client): void {
  const s = c.sock!
  c.sock = null
  c.run.lingering.set(s, now())
  openClient(c)
}

/** Sends the next request now, or at its due time (fixed rate). */
function next(c: Client): void {
  const run = c.run
  if (run.interval > 0) {
    const t = now()
    if (c.due > t) {
      c.timer = setTimeout(fire, c.due - t, c)
      return
    }
  }
  fire(c)
}

function fire(c: Client): void {
  c.timer = undefined
  const run = c.run
  const s = c.sock
  if (s === null || !run.take()) return
  if (run.interval > 0) {
    // latency counts from when it was due (or from now, if a timer fired a little early)
    const t = now()
    c.startedAt = c.due < t ? c.due : t
    c.due += run.interval
  } else {
    c.startedAt = now()
  }
  c.reader.reset()
  c.tcpLeft = run.opts.tcpAnswerBytes
  const n = s.write(run.request)
  if (n < 0) { run.errors.write++; run.failed++; c.startedAt = -1; run.checkAllDone(); reconnect(c); return }
  if (n < run.request.length) c.unsent = run.request.subarray(n)
}

/** A whole answer arrived. */
function answered(c: Client, status: number, mustClose: boolean): void {
  const run = c.run
  const t = now()
  run.histogram.record((t - c.startedAt) * 1000)
  c.startedAt = -1
  run.requests++
  run.statuses.set(status, (run.statuses.get(status) ?? 0) + 1)
  if (status >= 400) run.errors.status++
  if (run.opts.requests > 0 && run.requests + run.failed >= run.opts.requests) { run.finish(); return }
  // When the server closes, let it close first: the TIME_WAIT state then stays on its side, and
  // the load generator does not run out of ephemeral ports at thousands of connections per second.
  // The next connection opens at once; the old socket waits for the server's FIN on its own.
  if (mustClose) linger(c)
  else if (!run.opts.keepAlive) reconnect(c, true)
  else next(c)
}

const clientHandlers: SockHandlers<Client> = {
  open(s) {
    const c = s.data
    c.sock = s
    if (c.run.stopped) { s.terminate(); return }
    next(c)
  },
  data(s, chunk) {
    const c = s.data
    const run = c.run
    run.bytes += chunk.length
    if (c.startedAt < 0 || s !== c.sock) return // nothing asked: stray bytes (after a timeout, or lingering)
    if (run.opts.protocol === 'tcp') {
      c.tcpLeft -= chunk.length
      if (c.tcpLeft <= 0) answered(c, 200, false)
      return
    }
    const r = c.reader.feed(chunk, 0)
    if (r === NEED_MORE) return
    if (r === BAD_RESPONSE) {
      run.errors.parse++
      run.failed++
      c.startedAt = -1
      run.checkAllDone()
      reconnect(c)
      return
    }
    const h = c.reader.head
    answered(c, h.status, h.connClose || (h.version === 10 && !h.connKeepAlive))
  },
  drain(s) {
    const c = s.data
    if (c.unsent === null || s !== c.sock) return
    const n = s.write(c.unsent)
    if (n < 0) return
    c.unsent = n < c.unsent.length ? c.unsent.subarray(n) : null
  },
  end(s) {
    s.end()
  },
  close(s, error) {
    const c = s.data
    if (c.sock !== s) { c.run.lingering.delete(s); return } // replaced already (reconnect, linger)
    c.sock = null
    const run = c.run
    if (c.closing || run.stopped) return
    clearTimeout(c.timer)
    if (c.startedAt >= 0) {
      if (c.reader.endsAtClose && error === undefined) {
        answered(c, c.reader.head.status, true)
        return
      }
      run.errors.read++
      run.failed++
      c.startedAt = -1
      run.checkAllDone()
    }
    openClient(c)
  },
  connectError(s) {
    const c = s.data
    const run = c.run
    c.sock = null
    if (run.stopped) return
    run.errors.connect++
    // count mode: a failed connection uses one request of the budget, so a dead target ends
    // the run instead of spinning
    if (run.opts.requests > 0) { run.issued++; run.failed++; run.checkAllDone() }
    c.timer = setTimeout(openClient, 10, c)
  },
}

/** Runs one load in this process; resolves with what it measured. */
export function runLoad(opts: LoadOptions, onProgress?: (p: LoadProgress) => void, everyMs = 250): Promise<LoadResult> {
  const run = new LoadRun(opts)
  run.start()
  if (onProgress) {
    const t = setInterval(() => onProgress(run.progress()), everyMs)
    void run.done.then(() => clearInterval(t))
  }
  return run.done
}
