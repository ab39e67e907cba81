/**
 * Map and ACL files at run time: `show map [FILE]`, `add map FILE KEY VALUE` (or several
 * `KEY VALUE` lines as a payload after `<<`), `set map FILE KEY VALUE`, `del map FILE KEY`,
 * `clear map FILE`, and the same for `acl` (patterns without values). A file is named by its
 * path as the configuration resolved it (`show map` lists them), or by `#N`, its rank there.
 * Changes reach every rule using the file at once; the file on disk is not written.
 */
import type { PatternRef } from '../rules/maps.ts'
import { AdminError, type AdminCommand, type AdminCtx } from './types.ts'

function refOf(ctx: AdminCtx, name: string | undefined, kind: 'map' | 'acl'): PatternRef {
  const maps = ctx.engine.rules.maps
  if (name === undefined) throw new AdminError(`Missing ${kind} identifier.\n`)
  const paths = maps.paths()
  const path = /^#\d+$/.test(name) ? paths[Number(name.slice(1))] : name
  const ref = path === undefined ? undefined : maps.get(path)
  if (!ref) throw new AdminError(`Unknown ${kind} identifier. Please use #<id> or <file>.\n`)
  return ref
}

/** An entry's address in HAProxy's listing: a stable hex number per entry, by its rank. */
const address = (i: number): string => `0x${(0x1000 + i * 0x40).toString(16)}`

function show(kind: 'map' | 'acl'): AdminCommand['run'] {
  return (args, ctx) => {
    if (args[0] === undefined) {
      return ctx.engine.rules.maps.paths().map((p, i) => `${i} (${p}) pattern loaded from file '${p}'\n`).join('')
    }
    return refOf(ctx, args[0], kind).entries().map((e, i) => `${address(i)} ${kind === 'map' ? `${e.key} ${e.value}` : e.line}\n`).join('')
  }
}

function add(kind: 'map' | 'acl'): AdminCommand['run'] {
  return (args, ctx) => {
    const ref = refOf(ctx, args[0], kind)
    // Entries: the words on the line, or each line of the payload.
    const lines = ctx.payload !== undefined ? ctx.payload.split('\n').filter((l) => l.trim() !== '') : [args.slice(1).join(' ')]
    for (const l of lines) {
      const t = l.trim()
      const sp = t.search(/\s/)
      const key = kind === 'acl' || sp < 0 ? t : t.slice(0, sp)
      const value = kind === 'acl' || sp < 0 ? '' : t.slice(sp).trim()
      if (key === '' || (kind === 'map' && value === '')) throw new AdminError(`'add ${kind}' expects ${kind === 'map' ? 'a key and a value' : 'a pattern'}.\n`)
      try { ref.add(key, value) } catch (e) { throw new AdminError(`${(e as Error).message}\n`) }
    }
    return ''
  }
}

export const mapCommands: readonly AdminCommand[] = [
  { words: ['show', 'map'], usage: 'show map [<map>]', level: 'user', run: show('map') },
  { words: ['show', 'acl'], usage: 'show acl [<acl>]', level: 'user', run: show('acl') },
  { words: ['add', 'map'], usage: 'add map <map> <key> <value> | add map <map> <<', level: 'operator', run: add('map') },
  { words: ['add', 'acl'], usage: 'add acl <acl> <pattern>', level: 'operator', run: add('acl') },
  {
    words: ['set', 'map'], usage: 'set map <map> <key> <value>', level: 'operator',
    run(args, ctx) {
      const ref = refOf(ctx, args[0], 'map')
      if (args[1] === undefined || args.length < 3) throw new AdminError(`'set map' expects a key and a value.\n`)
      try { ref.set(args[1], args.slice(2).join(' ')) } catch (e) { throw new AdminError(`${(e as Error).message}\n`) }
      return ''
    },
  },
  ...(['map', 'acl'] as const).map((kind): AdminCommand => ({
    words: ['del', kind], usage: `del ${kind} <${kind}> <key>`, level: 'operator',
    run(args, ctx) {
      const ref = refOf(ctx, args[0], kind)
      const key = args.slice(1).join(' ')
      if (key === '') throw new AdminError(`'del ${kind}' expects a key.\n`)
      if (!ref.delete(key)) throw new AdminError(`Key not found.\n`)
      return ''
    },
  })),
  ...(['map', 'acl'] as const).map((kind): AdminCommand => ({
    words: ['clear', kind], usage: `clear ${kind} <${kind}>`, level: 'operator',
    run(args, ctx) { refOf(ctx, args[0], kind).clear(); return '' },
  })),
]
