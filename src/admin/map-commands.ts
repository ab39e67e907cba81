/**
 * Maps at run time: `show map`, `add map`, `del map`, `set map`, `clear map`. A change goes to
 * every rule and converter that reads the map, at once; the file on disk is left as it was
 * (HAProxy's behaviour). Changes need the operator level.
 */
import { resolve } from 'node:path'
import type { PatternRef, RefEntry } from '../rules/maps.ts'
import { entryId } from './table-commands.ts'
import { CliError, needLevel, type CliCommand, type CliCtx } from './types.ts'

const UNKNOWN = 'Unknown map identifier. Please use #<id> or <file>.\n'

/** A map by `#<id>` (its number in `show map`), by its path as loaded, or by a name that ends
 *  one path. */
export function findRef(ctx: CliCtx, spec: string | undefined): PatternRef | undefined {
  if (spec === undefined) return undefined
  const maps = ctx.engine.rules.maps
  const paths = maps.paths()
  if (spec.startsWith('#')) {
    const n = Number(spec.slice(1))
    const p = Number.isInteger(n) ? paths[n] : undefined
    return p === undefined ? undefined : maps.get(p)
  }
  const exact = maps.get(spec) ?? maps.get(resolve(spec))
  if (exact !== undefined) return exact
  const ends = paths.filter((p) => p.endsWith(`/${spec}`))
  return ends.length === 1 ? maps.get(ends[0]!) : undefined
}

/** The entry a `#0x…` id names (as `show map <map>` prints them). */
export function byId(ref: PatternRef, id: string): RefEntry | undefined {
  return ref.entries().find((e) => entryId(e) === id.slice(1))
}

export const showMap: CliCommand = {
  words: ['show', 'map'],
  usage: 'show map [@<ver>] [map]',
  help: 'report available maps or dump a map\'s contents',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const spec = args[2]
    if (spec === undefined) {
      let out = '# id (file) description\n'
      ctx.engine.rules.maps.paths().forEach((p, i) => {
        const ref = ctx.engine.rules.maps.get(p)!
        // ACL files are `show acl`'s (the numbers are shared, as HAProxy's are).
        if (ref.usedByAcl && !ref.usedByMap) return
        out += `${i} (${p}) pattern loaded from file '${p}'. curr_ver=0 next_ver=0 entry_cnt=${ref.size}\n`
      })
      return out
    }
    const ref = findRef(ctx, spec)
    if (ref === undefined) throw new CliError(UNKNOWN)
    let out = ''
    for (const e of ref.entries()) out += `${entryId(e)} ${e.key} ${e.value}\n`
    return out
  },
}

export const addMap: CliCommand = {
  words: ['add', 'map'],
  usage: 'add map [@<ver>] <map> <key> <val>',
  help: 'add a map entry (payload supported instead of key/val)',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const [, , spec, key, ...rest] = args
    if (spec === undefined || key === undefined || rest.length === 0) throw new CliError("'add map' expects three parameters: map identifier, key and value.\n")
    const ref = findRef(ctx, spec)
    if (ref === undefined) throw new CliError(UNKNOWN)
    try {
      ref.add(key, rest.join(' '))
    } catch {
      throw new CliError('Failed to add a key.\n')
    }
    return ''
  },
}

export const delMap: CliCommand = {
  words: ['del', 'map'],
  usage: 'del map <map> [<key>|#<ref>]',
  help: 'delete a map entry',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const [, , spec, key] = args
    if (spec === undefined || key === undefined) throw new CliError('This command expects two parameters: map identifier and key.\n')
    const ref = findRef(ctx, spec)
    if (ref === undefined) throw new CliError(UNKNOWN)
    const k = key.startsWith('#0x') ? byId(ref, key)?.key : key
    if (k === undefined || !ref.delete(k)) throw new CliError('Key not found.\n')
    return ''
  },
}

export const setMap: CliCommand = {
  words: ['set', 'map'],
  usage: 'set map <map> [<key>|#<ref>] <value>',
  help: 'modify a map entry',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const [, , spec, key, ...rest] = args
    if (spec === undefined || key === undefined || rest.length === 0) throw new CliError("'set map' expects three parameters: map identifier, key and value.\n")
    const ref = findRef(ctx, spec)
    if (ref === undefined) throw new CliError(UNKNOWN)
    const k = key.startsWith('#0x') ? byId(ref, key)?.key : key
    if (k === undefined || !ref.entries().some((e) => e.key === k)) throw new CliError('entry not found.\n')
    try {
      ref.set(k, rest.join(' '))
    } catch {
      throw new CliError('Failed to update an entry.\n')
    }
    return ''
  },
}

export const clearMap: CliCommand = {
  words: ['clear', 'map'],
  usage: 'clear map [@<ver>] <map>',
  help: 'clear the contents of a map',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    if (args[2] === undefined) throw new CliError('Missing map identifier.\n')
    const ref = findRef(ctx, args[2])
    if (ref === undefined) throw new CliError(UNKNOWN)
    ref.clear()
    return ''
  },
}
