/**
 * `show cache`: each `cache` section and the objects it holds, in HAProxy's format (pointers are
 * stable pseudo-addresses; blocks are HAProxy's 1024-byte cache blocks):
 *
 *   0x5a0040: NAME (shctx:0x5a0080, available blocks:N)
 *   0x5a00c0 hash:H vary:0x0 size:S (B blocks), refcount:0, expire:SECONDS
 */
import { now } from '../core/clock.ts'
import { entryId } from './table-commands.ts'
import type { CliCommand } from './types.ts'

const BLOCK = 1024

/** A 32-bit FNV-1a of the object's key, as the `hash:` HAProxy prints (its own is a sha1 prefix). */
function hash32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h
}

export const showCache: CliCommand = {
  words: ['show', 'cache'],
  usage: 'show cache',
  help: 'show cache status',
  run(_args, ctx) {
    let out = ''
    const t = now()
    for (const c of ctx.engine.rules.caches?.values() ?? []) {
      const total = Math.floor(c.cfg.totalMaxSize / BLOCK)
      let used = 0
      let lines = ''
      for (const o of c.objects()) {
        const blocks = Math.ceil(o.size / BLOCK)
        used += blocks
        lines += `${entryId(o)} hash:${hash32(o.primary + '\n' + o.secondary)} vary:0x${o.vary.length > 0 ? '1' : '0'} size:${o.size} (${blocks} blocks), refcount:0, expire:${Math.max(0, Math.round((o.expiresAt - t) / 1000))}\n`
      }
      out += `${entryId(c)}: ${c.cfg.name} (shctx:${entryId(c.cfg)}, available blocks:${Math.max(0, total - used)})\n${lines}`
    }
    return out
  },
}
