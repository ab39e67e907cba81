/**
 * Test support for the configuration layer. Not used at run time.
 */
import { ConfigError } from '../../src/model/source.ts'

/** The ConfigError `fn` throws; anything else it throws goes on, and throwing nothing fails. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (e) {
    if (e instanceof ConfigError) return e
    throw e
  }
  throw new Error('no ConfigError was thrown')
}
