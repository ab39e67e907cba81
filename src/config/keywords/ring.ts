/**
 * A `ring NAME` section: `description`, `format`, `maxlen`, `size`, `timeout connect|server` and
 * `server NAME ADDRESS [log-proto legacy|octet-count]` lines (the TCP syslog servers its lines are
 * forwarded to). Other `server` options are said not to be built, and those that protect (`ssl`,
 * `verify`…) refuse the configuration (fail closed); `backing-file` is said not to be built.
 */
import { ConfigError, type SectionSource } from '../../model/source.ts'
import type { RingConfig } from '../../model/types.ts'
import { parseDuration, parseIntIn, parseSize } from '../../model/units.ts'
import { DEFAULT_RING_SIZE } from '../../log/ring.ts'
import { isSyslogFormat, SYSLOG_FORMATS } from '../../log/syslog-header.ts'
import { parseLogDest } from '../../log/target-address.ts'
import type { NotBuiltSink } from './servers.ts'
import type { KeywordCtx } from './types.ts'
import { one } from './words.ts'
import { serverOptions } from '../../model/dictionary/server-options.ts'

const MAX_RING_SIZE = 1 << 30

/** Reads a ring section; each line through `guard`, which reports a ConfigError at its line. */
export function readRing(s: SectionSource, ctx: KeywordCtx & NotBuiltSink, guard: (fn: () => void) => void): RingConfig | undefined {
  if (s.name === '') { ctx.error(`a ring section needs a name: ring NAME`, s.pos); return undefined }
  const r: RingConfig = { name: s.name, size: DEFAULT_RING_SIZE, servers: [], pos: s.pos }
  for (const d of s.directives) {
    guard(() => {
      const words = [d.kw, ...d.args]
      if (d.kw === 'description') r.description = d.args.join(' ')
      else if (d.kw === 'format') {
        const f = one('format', d.args, d, `a format (${SYSLOG_FORMATS.join(', ')})`)
        if (!isSyslogFormat(f)) throw new ConfigError(`unknown ring format '${f}'; known: ${SYSLOG_FORMATS.join(', ')}`, d.pos)
        r.format = f
      } else if (d.kw === 'maxlen') r.maxLen = parseIntIn(one('maxlen', d.args, d, 'a length in bytes'), d.pos, "ring 'maxlen'", 1, MAX_RING_SIZE)
      else if (d.kw === 'size') {
        r.size = parseSize(one('size', d.args, d, 'a size in bytes'), d.pos)
        if (r.size < 2 || r.size > MAX_RING_SIZE) throw new ConfigError(`ring 'size' must be from 2 to ${MAX_RING_SIZE} bytes`, d.pos)
      } else if (d.kw === 'timeout' && (d.args[0] === 'connect' || d.args[0] === 'server')) {
        const ms = parseDuration(one(`timeout ${d.args[0]}`, d.args.slice(1), d, 'a duration'), d.pos)
        if (d.args[0] === 'connect') r.timeoutConnect = ms
        else r.timeoutServer = ms
      } else if (d.kw === 'server') {
        const [name, address, ...opts] = d.args
        if (!name || !address) throw new ConfigError(`'server' expects a name and an address: server NAME HOST:PORT [log-proto octet-count]`, d.pos)
        parseLogDest(`tcp@${address.replace(/^tcp[46]?@/, '')}`, d.pos)
        let octetCount = false
        for (let i = 0; i < opts.length; i++) {
          const o = opts[i]!
          if (o === 'log-proto') {
            const v = opts[++i]
            if (v !== 'legacy' && v !== 'octet-count') throw new ConfigError(`'log-proto' expects 'legacy' or 'octet-count'`, d.pos)
            octetCount = v === 'octet-count'
            continue
          }
          const known = serverOptions.find((k) => k.kw === o)
          if (known === undefined) throw new ConfigError(`unknown option '${o}' on a ring server; write: server NAME HOST:PORT [log-proto legacy|octet-count]`, d.pos)
          ctx.notBuilt(`'${o}' on a ring server`, d.pos, { area: 'ring servers take log-proto only', protects: known.protects })
          i += known.args
        }
        r.servers.push({ name, address: address.replace(/^tcp[46]?@/, ''), octetCount, pos: d.pos })
      } else if (d.kw === 'backing-file') ctx.notBuilt(`'backing-file'`, d.pos, { area: 'rings live in memory only' })
      else throw new ConfigError(`unknown keyword '${words.join(' ')}' in a ring section; known: description, format, maxlen, size, timeout connect, timeout server, server`, d.pos)
    })
  }
  return r
}
