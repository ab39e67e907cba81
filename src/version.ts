/**
 * edgelb's version. `build.ts` defines EDGELB_VERSION and EDGELB_COMMIT at compile time; running
 * from sources reads package.json, and the commit is 'dev'.
 */
import pkg from '../package.json' with { type: 'json' }

declare const EDGELB_VERSION: string | undefined
declare const EDGELB_COMMIT: string | undefined

export const version: string = typeof EDGELB_VERSION === 'string' ? EDGELB_VERSION : pkg.version
export const commit: string = typeof EDGELB_COMMIT === 'string' ? EDGELB_COMMIT : 'dev'

/** `edgelb 0.1.0 (commit abc1234)`. */
export function versionLine(): string {
  return `edgelb ${version} (commit ${commit})`
}
