/**
 * ACL pattern files at run time (`acl NAME CRITERION -f FILE`): `show acl`, `add acl`, `del acl`,
 * `clear acl`. A change applies at once to every ACL that reads the file; the file on disk is left
 * as it was (HAProxy's behaviour). An ACL file is named by its path, a file name that ends one
 * path, or `#N` (the number `show acl` and `show map` give it). Patterns written inline on the
 * `acl` line are not listed (HAProxy lists them; edgelb compiles them with their line). Operator
 * level.
 */
import { byId, findRef } from './map-commands.ts'
import { entryId } from './table-commands.ts'
import { CliError, needLevel, type CliCommand, type CliCtx } from './types.ts'
import type { PatternRef } from '../rules/maps.ts'

const UNKNOWN = 'Unknown ACL identifier. Please use #<id> or <file>.\n'

function findAcl(ctx: CliCtx, spec: string | undefined): PatternRef {
  const ref = findRef(ctx, spec)
  if (ref === undefined || !ref.usedByAcl) throw new CliError(UNKNOWN)
  return ref
}

export const showAcl: CliCommand = {
  words: ['show', 'acl'],
  usage: 'show acl [@<ver>] <acl>]',
  help: 'report available acls or dump an acl\'s contents',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const spec = args[2]
    const maps = ctx.engine.rules.maps
    if (spec === undefined) {
      let out = '# id (file) description\n'
      maps.paths().forEach((p, i) => {
        const ref = maps.get(p)!
        if (ref.usedByAcl) out += `${i} (${p}) pattern loaded from file '${p}'. curr_ver=0 next_ver=0 entry_cnt=${ref.size}\n`
      })
      return out
    }
    const ref = findAcl(ctx, spec)
    let out = ''
    for (const e of ref.entries()) out += `${entryId(e)} ${e.line}\n`
    return out
  },
}

export const addAcl: CliCommand = {
  words: ['add', 'acl'],
  usage: 'add acl [@<ver>] <acl> <pattern>',
  help: 'add an acl entry',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const [, , spec, ...rest] = args
    if (spec === undefined || rest.length === 0) throw new CliError("'add acl' expects two parameters: ACL identifier and pattern.\n")
    const ref = findAcl(ctx, spec)
    try {
      ref.add(rest.join(' '))
    } catch {
      throw new CliError(`'${rest.join(' ')}' is not a valid pattern for this ACL.\n`)
    }
    return ''
  },
}

export const delAcl: CliCommand = {
  words: ['del', 'acl'],
  usage: 'del acl <acl> [<key>|#<ref>]',
  help: 'delete acl entries matching a key',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    const [, , spec, ...rest] = args
    if (spec === undefined || rest.length === 0) throw new CliError('This command expects two parameters: ACL identifier and key.\n')
    const ref = findAcl(ctx, spec)
    const key = rest.join(' ')
    const k = key.startsWith('#0x') ? byId(ref, key)?.line : key
    if (k === undefined || !ref.delete(k)) throw new CliError('Key not found.\n')
    return ''
  },
}

export const clearAcl: CliCommand = {
  words: ['clear', 'acl'],
  usage: 'clear acl [@<ver>] <acl>',
  help: 'clear the contents of an acl',
  level: 'operator',
  run(args, ctx) {
    needLevel(ctx, 'operator')
    if (args[2] === undefined) throw new CliError('Missing ACL identifier.\n')
    findAcl(ctx, args[2]).clear()
    return ''
  },
}
