/**
 * `edgelb serve ADDR [options]`: one built-in backend server, in the manner of HAProxy's test
 * servers (httpterm/haterm): the demo servers of conf/edgelb.yaml, the backends `edgelb bench`
 * starts, or a quick stand-in server while writing a config.
 */
import { formatListenAddr, parseBindSpec } from '../model/address.ts'
import { ConfigError } from '../model/source.ts'
import type { ListenAddr } from '../model/types.ts'
import { parseDuration, parseIntIn, parseSize } from '../model/units.ts'
import { serveHttp, type BuiltinServer, type ServerOptions } from '../loadtest/http-server.ts'
import { serveTcp } from '../loadtest/tcp-server.ts'
import { MASTER_ENV, watchParentPipe } from '../master/programs.ts'
import { listenTarget } from '../net/listen-target.ts'
import { onSignal } from '../net/runtime.ts'
import { commandArgs } from './args.ts'
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type Command, type Io } from './types.ts'

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run a built-in test server (HTTP or TCP): demo backends, benchmark targets',
  usage: `usage: edgelb serve [options] ADDR

Runs one built-in backend server on ADDR (HAProxy bind syntax: 127.0.0.1:9001, :9001,
unix@/run/x.sock; port 0 takes a free port and prints it). It answers every request with
"hello from NAME" and an "x-server: NAME" header, so that a load balancer in front shows which
server answered. Stops on SIGTERM or SIGINT.

options:
  -n, --name NAME      server name in answers (default: the address)
  -s, --size BYTES     body size in bytes, k/m/g suffixes (default: the one-line greeting)
  -r, --status CODE    HTTP status (default 200)
  -t, --delay TIME     wait before answering: 20ms, 1s (default 0)
      --tcp            a TCP server instead: each line received ("\\n") is answered with
                       SIZE bytes (default the greeting line); try it with nc
  -h, --help           show this help

Per request, the query string overrides these as HAProxy's httpterm reads it:
  ?s=SIZE  ?r=STATUS  ?t=DELAY_MS      e.g.  curl 'http://127.0.0.1:9001/?s=1m&t=50'

In a configuration, a 'program' section starts it with edgelb and stops it with edgelb:
  program demo1
      command edgelb serve 127.0.0.1:9001 --name demo1`,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = commandArgs(serveCommand, args, {
      io,
      positionals: true,
      options: {
        name: { type: 'string', short: 'n' },
        size: { type: 'string', short: 's' },
        status: { type: 'string', short: 'r' },
        delay: { type: 'string', short: 't' },
        tcp: { type: 'boolean' },
      },
    })
    if (typeof parsed === 'number') return parsed
    const v = parsed.values
    if (parsed.positionals.length !== 1) {
      io.err(`edgelb serve: expects one address, e.g. edgelb serve 127.0.0.1:9001 (edgelb serve --help)`)
      return EXIT_USAGE
    }
    const spec = parsed.positionals[0]!
    const at = { file: 'command line', line: 0 }
    let addrs: ListenAddr[]
    let opts: ServerOptions
    try {
      addrs = parseBindSpec(spec, at)
      opts = {
        name: v.name ?? spec,
        size: v.size === undefined ? -1 : parseSize(v.size, at),
        status: v.status === undefined ? 200 : parseIntIn(v.status, at, '--status', 200, 599),
        delay: v.delay === undefined ? 0 : parseDuration(v.delay, at),
      }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      io.err(`edgelb serve: ${e.message}`)
      return EXIT_USAGE
    }
    const servers: BuiltinServer[] = []
    try {
      for (const a of addrs) servers.push((v.tcp ? serveTcp : serveHttp)(listenTarget(a), opts))
    } catch (e) {
      for (const s of servers) s.stop()
      io.err(`edgelb serve: ${(e as Error).message}`)
      return EXIT_INVALID
    }
    const where = addrs.map((a, i) => (a.family === 'ipv4' || a.family === 'ipv6' ? formatListenAddr({ ...a, port: servers[i]!.port }) : formatListenAddr(a)))
    const what = `${v.tcp ? 'tcp' : `http ${opts.status}`}, ${opts.size < 0 ? 'greeting' : `${opts.size} bytes`}${opts.delay > 0 ? `, ${opts.delay} ms delay` : ''}`
    io.err(`edgelb serve: ${opts.name} listening on ${where.join(', ')} (${what})`)
    let stop!: () => void
    const stopped = new Promise<void>((resolve) => { stop = resolve })
    const off = [onSignal('SIGTERM', () => stop()), onSignal('SIGINT', () => stop())]
    const unwatch = io.env[MASTER_ENV] === '1' ? watchParentPipe(stop) : undefined
    // the listeners keep the process alive; this keeps it alive with none (unix socket removed…)
    const keep = setInterval(() => {}, 1 << 30)
    await stopped
    clearInterval(keep)
    for (const f of off) f()
    for (const s of servers) s.stop()
    unwatch?.()
    return EXIT_OK
  },
}
