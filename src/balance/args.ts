/**
 * Helpers for the algorithms' parse(): reading the words of a `balance` line.
 */
import { ConfigError } from '../model/source.ts'
import type { BalanceArgs, BalanceWords } from './types.ts'

/** parse() of an algorithm that takes no argument. */
export function noArgs(name: string): (w: BalanceWords) => BalanceArgs {
  return (w) => {
    if (w.param !== undefined || w.words.length > 0) throw new ConfigError(`'balance ${name}' takes no argument`, w.at)
    return {}
  }
}

/** Refuses `NAME(…)` for an algorithm whose arguments are words. */
export function noParens(name: string, w: BalanceWords): void {
  if (w.param !== undefined) throw new ConfigError(`'balance ${name}' takes no argument in parentheses`, w.at)
}
