import type { SourcePos } from '../model/source.ts'
import type { ProxyConfig } from '../model/types.ts'
import type { RulesEnv } from '../rules/context.ts'
import { first } from './first.ts'
import { hash } from './hash.ts'
import { hdr } from './hdr.ts'
import { leastconn } from './leastconn.ts'
import { random } from './random.ts'
import { rdpCookie } from './rdp-cookie.ts'
import { roundrobin } from './roundrobin.ts'
import { source } from './source.ts'
import { staticRr } from './static-rr.ts'
import { uri } from './uri.ts'
import { urlParam } from './url-param.ts'
import type { LbAlgorithm, LbKey } from './types.ts'

/** Every `balance` algorithm, listed explicitly: adding one is one import and one entry. The
 *  only list: the config, the health checks and the sessions ask the algorithm found here. */
export const algorithms: readonly LbAlgorithm[] = [roundrobin, staticRr, leastconn, first, source, random, uri, urlParam, hdr, rdpCookie, hash]

/** The algorithm for a `balance` keyword, or undefined (the config layer reports it with its position). */
export function findAlgorithm(name: string): LbAlgorithm | undefined {
  return algorithms.find((a) => a.name === name)
}

/** How the sessions of backend `p` get the key its algorithm hashes (null: it hashes nothing),
 *  compiled once, at load, with the rules' stick tables and maps (`balance hash` reads samples).
 *  Throws ConfigError, at `at`, for a key that cannot compile. */
export function compileBalanceKey(p: ProxyConfig, env: RulesEnv, at: SourcePos = p.pos): LbKey | null {
  const algo = findAlgorithm(p.balance.algo)
  return algo?.key?.(p.balance, { ...env, proxy: p.name, at }) ?? null
}
