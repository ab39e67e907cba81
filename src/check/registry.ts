/**
 * Which check a backend runs: the table of check options, in the order edgelb prefers them when
 * several are set (HAProxy keeps the last one written; the configuration model keeps flags).
 * Without any, a check is a TCP connect.
 */
import type { ProxyConfig } from '../model/types.ts'
import { compileExternalCheck } from './external.ts'
import { compileHttpCheck } from './http.ts'
import { ldapCheck } from './ldap.ts'
import { compileMysql } from './mysql.ts'
import { compilePgsql } from './pgsql.ts'
import { redisCheck } from './redis.ts'
import { compileSmtp } from './smtp.ts'
import { spopCheck } from './spop.ts'
import { sslHelloCheck } from './ssl-hello.ts'
import { compileTcpCheck } from './tcp-check.ts'
import { tcpCheck } from './tcp.ts'
import type { CheckKind } from './types.ts'

export interface CheckOption {
  /** The `option` name. */
  readonly option: string
  compile(p: ProxyConfig, env: CheckEnv): CheckKind
}

/** Process-wide settings some checks read. */
export interface CheckEnv {
  /** `tune.http.maxhdr`. */
  maxHeaders: number
  /** `external-check [preserve-env]` in global (undefined: not there). */
  externalCheck?: { preserveEnv: boolean } | undefined
  /** Each proxy's id (its rank among every proxy, from 1), for external checks. */
  proxyId?: (p: ProxyConfig) => number
}

export const checkOptions: readonly CheckOption[] = [
  { option: 'tcp-check', compile: (p) => compileTcpCheck(p.rules) },
  { option: 'httpchk', compile: (p, env) => compileHttpCheck(p, env.maxHeaders) },
  { option: 'ssl-hello-chk', compile: () => sslHelloCheck },
  { option: 'smtpchk', compile: (p) => compileSmtp(p.optionArgs['smtpchk'] ?? [], p.pos) },
  { option: 'redis-check', compile: () => redisCheck },
  { option: 'mysql-check', compile: (p) => compileMysql(p.optionArgs['mysql-check'] ?? [], p.pos) },
  { option: 'pgsql-check', compile: (p) => compilePgsql(p.optionArgs['pgsql-check'] ?? [], p.pos) },
  { option: 'ldap-check', compile: () => ldapCheck },
  { option: 'spop-check', compile: () => spopCheck },
  { option: 'external-check', compile: (p, env) => compileExternalCheck(p, { global: env.externalCheck, proxyId: env.proxyId?.(p) ?? 0 }) },
]

/** The health check `p`'s servers run. */
export function compileHealthCheck(p: ProxyConfig, env: CheckEnv): CheckKind {
  for (const o of checkOptions) if (p.options[o.option]) return o.compile(p, env)
  return tcpCheck
}
