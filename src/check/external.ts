/**
 * `option external-check`: the health of a server is the exit status of a program, as HAProxy
 * runs it (`external-check command CMD`, allowed by `external-check` in global):
 *
 *   CMD <proxy_address> <proxy_port> <server_address> <server_port>
 *
 * The proxy's address and port are those of its first TCP or unix listener (a unix one: the path
 * and NOT_USED); a backend has none: NOT_USED twice. The environment holds only HAPROXY_PROXY_ADDR,
 * _ID, _NAME, _PORT, HAPROXY_SERVER_ADDR, _CURCONN, _ID, _MAXCONN, _NAME, _PORT, _SSL, _PROTO
 * and PATH (`external-check path`, default empty), unless `external-check preserve-env` keeps
 * edgelb's own too. Exit status 0: PROCOK; another: PROCERR with the status as its code; still
 * running at the check's deadline: killed, PROCTOUT.
 */
import { spawn } from 'node:child_process'
import type { ProxyConfig } from '../model/types.ts'
import type { CheckOutcome } from './status.ts'
import { CheckConfigError, type CheckKind, type CheckRun } from './types.ts'

export interface ExternalCheckEnv {
  /** `external-check` in global: undefined when it is not there. */
  global: { preserveEnv: boolean } | undefined
  /** The proxy's rank among every proxy, from 1 (HAProxy's proxy id). */
  proxyId: number
}

/** The first listener of a proxy as HAProxy hands it to the program. */
function proxyAddress(p: ProxyConfig): [string, string] {
  for (const b of p.binds) {
    for (const a of b.addrs) {
      if (a.family === 'ipv4' || a.family === 'ipv6') return [a.host === '' ? (a.family === 'ipv6' ? '::' : '0.0.0.0') : a.host, String(a.port)]
      if ('path' in a && typeof a.path === 'string') return [a.path, 'NOT_USED']
    }
  }
  return ['NOT_USED', 'NOT_USED']
}

export function compileExternalCheck(p: ProxyConfig, env: ExternalCheckEnv): CheckKind {
  if (env.global === undefined) throw new CheckConfigError(`'option external-check' needs 'external-check' in the global section, which allows edgelb to run programs`, p.pos)
  const command = p.externalCheck?.command
  if (command === undefined) throw new CheckConfigError(`'option external-check' needs 'external-check command PROGRAM' in ${p.kind} '${p.name}'`, p.pos)
  const path = p.externalCheck?.path ?? ''
  const [proxyAddr, proxyPort] = proxyAddress(p)
  const preserve = env.global.preserveEnv
  return {
    name: 'external',
    run(t: CheckRun): Promise<CheckOutcome> {
      const s = t.server
      const c = s.cfg
      const srvAddr = c.addr.path ?? s.resolvedHost ?? c.addr.host
      const srvPort = c.addr.path !== undefined ? 'NOT_USED' : String(c.checkPort ?? c.addr.port ?? 0)
      const vars: Record<string, string> = {
        HAPROXY_PROXY_ADDR: proxyAddr,
        HAPROXY_PROXY_ID: String(env.proxyId),
        HAPROXY_PROXY_NAME: p.name,
        HAPROXY_PROXY_PORT: proxyPort,
        HAPROXY_SERVER_ADDR: srvAddr,
        HAPROXY_SERVER_CURCONN: String(s.cur),
        HAPROXY_SERVER_ID: String(s.index + 1),
        HAPROXY_SERVER_MAXCONN: String(s.maxconn),
        HAPROXY_SERVER_NAME: s.name,
        HAPROXY_SERVER_PORT: srvPort,
        HAPROXY_SERVER_SSL: c.ssl === true ? '1' : '0',
        HAPROXY_SERVER_PROTO: p.mode === 'http' ? 'http' : 'tcp',
        PATH: path,
      }
      const childEnv = preserve ? { ...process.env, ...vars } : vars
      return new Promise((resolve) => {
        let done = false
        const finish = (o: CheckOutcome): void => { if (!done) { done = true; resolve(o) } }
        let child: ReturnType<typeof spawn>
        try {
          child = spawn(command, [proxyAddr, proxyPort, srvAddr, srvPort], { env: childEnv, stdio: 'ignore', detached: true })
        } catch (e) {
          finish({ status: 'PROCERR', code: 255, info: (e as Error).message })
          return
        }
        child.on('error', (e) => finish({ status: 'PROCERR', code: 255, info: e.message }))
        child.on('exit', (code, signal) => {
          if (code === 0) finish({ status: 'PROCOK' })
          else finish({ status: 'PROCERR', code: code ?? 255, ...(signal !== null ? { info: `killed by ${signal}` } : {}) })
        })
        t.onExpire(() => {
          if (done) return
          // The program and whatever it started go together (its own process group).
          try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL') } catch { child.kill('SIGKILL') }
          finish({ status: 'PROCTOUT' })
        })
      })
    },
  }
}
