/**
 * A thread after the first (`nbthread` > 1; cli/threads.ts drives it): reads the configuration
 * files the first thread read, builds its own engine on the first thread's shared counts, binds
 * the same TCP ports on its own SO_REUSEPORT sockets, and serves. It runs no health check, no
 * runtime API and no signal handler: the first thread tells it the server states, the commands
 * that change something, reloads and stops.
 */
import { hasErrors, loadConfig } from '../config/load.ts'
import { formatDiagnostic } from '../model/source.ts'
import type { Config } from '../model/types.ts'
import { ListenerSet, type ListenerThreads } from '../proxy/listeners.ts'
import type { ObservedResult } from '../backend/server.ts'
import { Generations } from '../proxy/generations.ts'
import type { EngineThread } from '../proxy/engine.ts'
import { applyServerStates, ProcessShare } from '../proxy/process-share.ts'
import type { Applet, AppletReply, Applets } from '../proxy/applet.ts'
import { CounterDeltas } from '../stats/merge.ts'
import { TableSync } from '../proxy/table-sync.ts'
import { runCommand } from '../admin/session.ts'
import { bindThreadToCpus } from '../net/affinity.ts'
import { writeMailbox, type FromThread, type ThreadInit, type ToThread } from './threads.ts'

declare const self: { onmessage: ((e: MessageEvent<ToThread>) => void) | null; postMessage(m: FromThread): void; close(): void }

const post = (m: FromThread): void => self.postMessage(m)
const io = { out: (line: string) => post({ t: 'out', line }), err: (line: string) => post({ t: 'err', line }) }

let init: ThreadInit | null = null
let gens: Generations | null = null
let listeners: ListenerSet | null = null
let share: ProcessShare | null = null
let config: Config | null = null
let tables: TableSync | null = null
const deltas = new CounterDeltas()

const thread: EngineThread = {
  checks: false,
  share: () => share!,
  started(engine) {
    // Passive health is judged by the first thread, which runs the checks: results go there.
    for (const be of engine.backends.values()) {
      for (const s of be.servers) if (s.observer !== null) s.observer = (srv, r) => observed(be.name, srv.name, r)
    }
  },
}

/**
 * The stats pages and services of this thread: each request is answered by the first thread,
 * which shows the whole process's counters (cli/threads.ts `#applet`).
 */
function relayedApplets(): Applets {
  const ask = (kind: 'stats' | 'service', name: string): Applet => (req) => new Promise<AppletReply>((resolve) => {
    const id = ++lastAsk
    asked.set(id, resolve)
    const auth = req.header('authorization')
    post({ t: 'applet', id, kind, name, proxy: req.proxy.name, method: req.method, uri: req.uri, clientAddr: req.clientAddr, ...(auth === undefined ? {} : { authorization: auth }) })
  })
  return {
    stats: (p) => (p.stats === undefined ? null : ask('stats', p.name)),
    service: (name) => (name === 'prometheus-exporter' ? ask('service', name) : null),
  }
}

const asked = new Map<number, (r: AppletReply) => void>()
let lastAsk = 0

let results: [string, string, ObservedResult][] = []

function observed(be: string, srv: string, r: ObservedResult): void {
  if (results.length === 0) setImmediate(() => { post({ t: 'observed', results }); results = [] })
  results.push([be, srv, r])
}

/** What came while the thread was starting: handled, in order, once it serves (or gave up). */
let pending: ToThread[] | null = null

self.onmessage = (e: MessageEvent<ToThread>) => {
  const m = e.data
  if (m.t === 'init') {
    pending = []
    void start(m).catch((err: Error) => fail(err.message)).finally(() => {
      const queued = pending ?? []
      pending = null
      for (const q of queued) handle(q)
    })
    return
  }
  if (pending !== null) pending.push(m)
  else handle(m)
}

/** The thread cannot serve: the first thread hears why, then that it ended. */
function fail(why: string): void {
  tables?.close()
  post({ t: 'failed', why })
  post({ t: 'done' })
  self.close()
}

function handle(m: ToThread): void {
  try {
    switch (m.t) {
      case 'init': break
      case 'applet-reply': {
        const r = asked.get(m.id)
        asked.delete(m.id)
        r?.({ status: m.status, headers: m.headers, body: m.body })
        break
      }
      case 'reload': reload(m); break
      case 'states': if (gens !== null) applyServerStates(gens.current, m.states); break
      case 'cli': if (gens !== null) runCommand(m.line, { engine: gens.current, level: 'admin' }); break
      case 'kill': {
        const s = gens?.current.backends.get(m.be)?.findServer(m.srv)
        if (s !== undefined) gens!.current.killSessionsOn(s, m.why)
        break
      }
      case 'counters': if (gens !== null && init !== null) writeMailbox(init.mailbox, deltas.take(gens.current)); break
      case 'softStop': gens?.softStop(); break
      case 'stop': gens?.stop(); break
      case 'pause': gens?.pause(); post({ t: 'ack' }); break
      case 'resume':
        try { gens?.resume() } finally { post({ t: 'ack' }) }
        break
    }
  } catch (err) {
    io.err(`edgelb: thread ${(init?.index ?? 0) + 1}: ${m.t}: ${(err as Error).message}`)
  }
}

async function start(m: ThreadInit): Promise<void> {
  init = m
  if (m.cpus !== undefined) {
    const why = await bindThreadToCpus(m.cpus)
    if (why !== undefined) io.err(`edgelb: warning: cpu-map: thread ${m.index + 1} not bound to CPU ${m.cpus.join(',')}: ${why}`)
  }
  const loaded = loadConfig(m.files, m.env, { allowUnimplemented: m.allowUnimplemented })
  if (hasErrors(loaded.diagnostics)) {
    const first = loaded.diagnostics.find((d) => d.severity === 'error')
    fail(first === undefined ? 'the configuration has errors' : formatDiagnostic(first))
    return
  }
  config = loaded.config
  share = new ProcessShare(m.buffer, m.layout, m.count, m.index)
  tables = new TableSync(m.tables)
  share.tables = tables
  listeners = new ListenerSet(undefined, { ports: new Map(m.ports) })
  try {
    gens = Generations.start(loaded.runtime, listeners, { ...io, applets: relayedApplets, thread })
  } catch (err) {
    fail((err as Error).message)
    return
  }
  void gens.done.then(() => { tables?.close(); post({ t: 'done' }); self.close() })
  post({ t: 'ready' })
}

function reload(m: Extract<ToThread, { t: 'reload' }>): void {
  if (gens === null || init === null || listeners === null) return
  const loaded = loadConfig(init.files, init.env, { allowUnimplemented: init.allowUnimplemented, keepTables: gens.current.rules.tables })
  if (hasErrors(loaded.diagnostics)) {
    io.err(`edgelb: thread ${init.index + 1}: reload failed: the configuration has errors`)
    return
  }
  const before = { config, share }
  config = loaded.config
  share = new ProcessShare(m.buffer, m.layout, init.count, init.index)
  share.tables = tables
  ;(listeners.threads as ListenerThreads).ports = new Map(m.ports)
  try {
    gens.reload(loaded.runtime)
  } catch (err) {
    config = before.config
    share = before.share
    io.err(`edgelb: thread ${init.index + 1}: reload failed: ${(err as Error).message}`)
  }
}
