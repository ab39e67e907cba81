/**
 * Test support: configurations from HAProxy text written inline, and the ConfigError a call
 * throws. Not used at run time.
 */
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { ConfigError, formatDiagnostic } from '../../src/model/source.ts'
import type { Config } from '../../src/model/types.ts'

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

/** Strips the common indentation of a template, so configs can be written inline. */
export function cfg(strings: TemplateStringsArray, ...values: unknown[]): string {
  let text = strings[0]!
  for (let i = 0; i < values.length; i++) text += String(values[i]) + strings[i + 1]!
  const lines = text.replace(/^\n/, '').split('\n')
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.match(/^ */)![0].length))
  return lines.map((l) => l.slice(indent)).join('\n') + '\n'
}

/** Builds a Config from HAProxy text; throws with the diagnostics if it has errors. `bind …:0`
 *  means "any free port", as the tests need. */
export function parseConfig(text: string, file = 'e2e.cfg'): Config {
  const read = readHaproxy(text, file)
  const built = buildConfig(read.sections, [file])
  const errors = [...read.diagnostics, ...built.diagnostics].filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new Error(`bad test config:\n${errors.map(formatDiagnostic).join('\n')}\n---\n${text}`)
  return built.config
}
