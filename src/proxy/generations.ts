/**
 * The engines of one process: the one serving (the current generation) and those a reload
 * retired, finishing their sessions. HAProxy's master-worker reload in one process:
 *
 *   gen N serving ──reload(runtime)──▶ gen N+1 built, state carried over (carry-over.ts), bound
 *        │                              on the same sockets (listeners.ts) ──▶ serving
 *        │                              └─ a bind fails: gen N+1 discarded, gen N goes on serving
 *        └──▶ retired: finishes its sessions (HTTP ones move to gen N+1 between two requests),
 *             then stops and is forgotten (or at its hard-stop-after)
 *
 * Everything between reading the new engine's sockets and retiring the old one is synchronous:
 * no connection is accepted by neither, none is refused.
 */
import { collectGarbage } from '../net/runtime.ts'
import type { ListenerSet } from './listeners.ts'
import { carryOver } from './carry-over.ts'
import { Engine, type EngineOptions } from './engine.ts'
import type { Runtime } from './runtime.ts'

export interface ReloadOutcome {
  /** The generation now serving. */
  generation: number
  /** Addresses the new configuration no longer binds, closed. */
  closed: string[]
  /** Inherited sockets the new configuration does not use. */
  idle: string[]
}

export class Generations {
  readonly listeners: ListenerSet
  readonly #opts: EngineOptions
  #current: Engine
  #generation = 1
  /** Retired engines still finishing sessions. */
  readonly #retiring = new Set<Engine>()
  #stopping = false
  #collecting: ReturnType<typeof setTimeout> | undefined
  #resolveDone!: () => void
  /** Resolves when every engine has stopped (stop(), or a soft stop that drained). */
  readonly done: Promise<void>

  private constructor(first: Engine, listeners: ListenerSet, opts: EngineOptions) {
    this.#current = first
    this.listeners = listeners
    this.#opts = opts
    this.done = new Promise((r) => { this.#resolveDone = r })
    this.#watch(first)
  }

  /** Starts the first generation (Engine.start: throws when a bind fails). */
  static start(runtime: Runtime, listeners: ListenerSet, opts: EngineOptions): Generations {
    return new Generations(Engine.start(runtime.config, opts, { runtime, listeners }), listeners, opts)
  }

  get current(): Engine {
    return this.#current
  }

  get generation(): number {
    return this.#generation
  }

  /** Retired generations still serving sessions. */
  get retiring(): number {
    return this.#retiring.size
  }

  /**
   * Serves `runtime` (built from the new configuration, not started) from now on. Throws, with the
   * current generation untouched and serving, when the engine is not running (paused, stopping)
   * or a bind of the new configuration fails.
   */
  reload(runtime: Runtime): ReloadOutcome {
    const old = this.#current
    if (this.#stopping || old.state !== 'running') throw new Error(`edgelb is ${this.#stopping ? 'stopping' : old.state}${old.state === 'paused' ? ' (SIGTTOU): send SIGTTIN first' : ''}`)
    // A listening socket taken over keeps the TLS it was opened with (the runtime sets TLS once per
    // listener): the new certificates and TLS settings would not apply. Refused, so that a reload
    // never leaves old keys or a laxer `verify` serving; a binary upgrade rebuilds them.
    const ssl = [old.config, runtime.config].some((c) => c.proxies.some((p) => p.binds.some((b) => b.ssl === true)))
    if (ssl) throw new Error(`a configuration with 'bind … ssl' is applied by a binary upgrade, which opens its listeners with the new TLS settings: run 'edgelb reload --upgrade' (SIGURG) instead of SIGUSR2/SIGHUP`)
    carryOver(old, runtime)
    const next = Engine.start(runtime.config, this.#opts, { runtime, listeners: this.listeners, previous: old })
    const { closed, idle } = this.listeners.lastCommit
    this.#current = next
    this.#generation++
    for (const e of this.#retiring) e.redirect(next)
    this.#retiring.add(old)
    old.retire(next)
    this.#watch(next)
    return { generation: this.#generation, closed, idle }
  }

  /** SIGUSR1: the current generation soft-stops; the retired ones go on finishing. */
  softStop(): void {
    this.#stopping = true
    this.#current.softStop()
  }

  /** SIGTERM: every generation stops now. */
  stop(): void {
    this.#stopping = true
    for (const e of [...this.#retiring]) e.stop()
    this.#current.stop()
  }

  pause(): void {
    this.#current.pause()
  }

  resume(): void {
    this.#current.resume()
  }

  #watch(e: Engine): void {
    void e.done.then(() => {
      const retired = this.#retiring.delete(e)
      if (this.#current.state === 'stopped' && this.#retiring.size === 0) this.#resolveDone()
      else if (retired) this.#collectSoon()
    })
  }

  /**
   * A retired generation has ended: its objects (and the garbage of reading and building the
   * configuration that replaced it) are collected at once, in one full collection, rather than
   * when allocation next calls for one: otherwise the process's memory keeps the high-water mark
   * of every reload until then (bench/README.md, "bench/reload.ts", has the figures). Run from a
   * fresh timer, with nothing of the old generation on the stack; one for reloads that end
   * together. The pause is that of a full collection of the heap, a few ms.
   */
  #collectSoon(): void {
    if (this.#collecting !== undefined) return
    this.#collecting = setTimeout(() => { this.#collecting = undefined; collectGarbage() }, 0)
    ;(this.#collecting as { unref?(): void }).unref?.()
  }

  /** For `await using` in tests. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop()
    await this.done
  }
}
