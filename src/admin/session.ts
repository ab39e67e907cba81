/**
 * One connection to the runtime API, as HAProxy's CLI reads it: commands end at a newline or at
 * a `;` (a backslash escapes either, and a space inside a word); each command's output is
 * followed by an empty line, or by `\n> ` in interactive mode (`prompt`). Without `prompt`, the
 * connection closes once the commands that arrived together are answered, which is what `echo
 * "show stat" | socat stdio /run/edgelb.sock` expects; `quit` closes at once.
 *
 *   waiting --line--> command runs --output + "\n"--> closed (not interactive, nothing pending)
 *                                   `--output + "\n> "--> waiting (interactive)
 */
import { runMasterLine } from './master-cli.ts'
import { findCommand, usageMessage } from './registry.ts'
import { CliError, type CliCtx } from './types.ts'

/** The longest line kept while waiting for its end (HAProxy's buffer size). */
const MAX_LINE = 16384

/** Splits a command into words: spaces and tabs separate, a backslash keeps the next character. */
export function splitWords(line: string): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === '\\' && i + 1 < line.length) { cur += line[++i]; inWord = true; continue }
    if (c === ' ' || c === '\t') {
      if (inWord) { words.push(cur); cur = ''; inWord = false }
      continue
    }
    cur += c
    inWord = true
  }
  if (inWord) words.push(cur)
  return words
}

/** Runs one command line (no `;` in it) and returns its output, without the trailing prompt. */
export function runCommand(line: string, ctx: CliCtx): string {
  const args = splitWords(line)
  if (ctx.master !== undefined) {
    try {
      return runMasterLine(args, line, ctx, ctx.master, runCommand)
    } catch (e) {
      if (e instanceof CliError) return e.message
      throw e
    }
  }
  const cmd = findCommand(args, ctx)
  if (cmd === undefined) return usageMessage(args, ctx)
  // With several threads (`nbthread`), what the stats show is the process's, and a change made
  // here is made in every thread (proxy/process-share.ts).
  const share = ctx.engine.share
  if (share !== null && args[0] === 'show') share.gatherStats()
  try {
    const out = cmd.run(args, ctx)
    if (share !== null && changesState(args)) share.commandRan(line)
    return out
  } catch (e) {
    if (e instanceof CliError) return e.message
    throw e
  }
}

/** Whether a command changes state the other threads hold too (servers, frontends, tables,
 *  maps, ACLs, sessions): every `set`, `enable`, `disable`, `add`, `del`, `clear` but `clear
 *  counters` (the first thread's counters are the process's), `commit`, `prepare`, `new`, and
 *  `shutdown sessions` (a server's, in every thread). */
function changesState(args: readonly string[]): boolean {
  const w = args[0]
  if (w === 'clear') return args[1] !== 'counters'
  if (w === 'shutdown') return args[1] === 'sessions'
  return w === 'set' || w === 'enable' || w === 'disable' || w === 'add' || w === 'del' || w === 'commit' || w === 'prepare' || w === 'new'
}

export class CliSession {
  readonly ctx: CliCtx
  #pending = ''
  #interactive = false
  #ended = false
  /** Where output that comes later goes (socket.ts sets it); null: commands answer at once. */
  onPush: ((text: string) => void) | null = null
  /** A command writes as things happen (`show events -w`): how to stop it. */
  #stopFollow: (() => void) | null = null
  readonly #followCtx: CliCtx

  constructor(ctx: CliCtx) {
    // The modes (`experimental-mode on`) last as long as this connection; the context's own
    // properties (an `engine` getter that follows reloads) stay as they are.
    this.ctx = ctx.modes === undefined ? Object.assign(Object.create(ctx) as CliCtx, { modes: {} }) : ctx
    const self = this
    this.#followCtx = Object.assign(Object.create(this.ctx) as CliCtx, {
      follow(start: (push: (text: string) => void) => () => void) {
        if (self.onPush === null || self.#stopFollow !== null) return
        self.#stopFollow = start((text) => self.onPush?.(text))
      },
    })
  }

  /** The connection is to close (after what `input` returned is written). */
  get ended(): boolean {
    return this.#ended
  }

  /** A command is writing as things happen; the connection stays until the client leaves. */
  get following(): boolean {
    return this.#stopFollow !== null
  }

  /** The client left: whatever was following stops. */
  close(): void {
    this.#stopFollow?.()
    this.#stopFollow = null
    this.#ended = true
  }

  /** Takes what the client sent; returns what to send back. */
  input(text: string): string {
    if (this.#ended || this.#stopFollow !== null) return ''
    this.#pending += text
    let out = ''
    for (;;) {
      const end = commandEnd(this.#pending)
      if (end < 0) break
      let line = this.#pending.slice(0, end)
      this.#pending = this.#pending.slice(end + 1)
      if (line.endsWith('\r')) line = line.slice(0, -1)
      const words = splitWords(line)
      if (words[0] === 'quit' && words.length === 1) { this.#ended = true; return out }
      if (words[0] === 'prompt' && words.length === 1) this.#interactive = !this.#interactive
      else if (words.length > 0 || !this.#interactive) out += runCommand(line, this.onPush === null ? this.ctx : this.#followCtx)
      if (this.#stopFollow !== null) return out
      out += this.#interactive ? '\n> ' : '\n'
    }
    if (!this.#interactive && this.#pending.trim() === '') this.#ended = true
    if (this.#pending.length > MAX_LINE) this.#ended = true
    return out
  }

  /** The client closed its side: what it sent last without a newline still runs. */
  end(): string {
    if (this.#stopFollow !== null) return ''
    if (this.#ended || this.#pending.trim() === '') { this.#ended = true; return '' }
    const out = this.input('\n')
    this.#ended = true
    return out
  }
}

/** Where the first command of `s` ends: a newline, or a `;` no backslash escapes; -1: not yet. */
function commandEnd(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '\\') { i++; continue }
    if (c === '\n' || c === ';') return i
  }
  return -1
}
