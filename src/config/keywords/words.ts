/**
 * The word-count checks every keyword table shares, so that `maxconn 1 2` in `global` and in a
 * proxy get the same message, and it says what to remove.
 */
import { ConfigError, type Directive } from '../../model/source.ts'

/** The one word after `kw`; `what` names it in the message ('a number', 'a duration'). */
export function one(kw: string, args: readonly string[], d: Directive, what = 'a value'): string {
  if (args.length !== 1) throw new ConfigError(`'${kw}' expects ${what}${args.length > 1 ? `; remove '${args.slice(1).join(' ')}'` : ''}`, d.pos)
  return args[0]!
}

/** `kw` takes no word after it. */
export function none(kw: string, args: readonly string[], d: Directive): void {
  if (args.length > 0) throw new ConfigError(`'${kw}' takes no argument; remove '${args.join(' ')}'`, d.pos)
}
