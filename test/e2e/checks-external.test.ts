/**
 * `option external-check`: a program decides a server's health by its exit status, with
 * HAProxy's arguments and environment; one that outlives the check's deadline is killed.
 */
import { afterAll, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { formatDiagnostic } from '../../src/model/source.ts'
import { cfg, startLb } from '../support/harness.ts'
import { until } from '../support/wait.ts'

const DIR = mkdtempSync(join(tmpdir(), 'edgelb-extcheck-'))
afterAll(() => rmSync(DIR, { recursive: true, force: true }))

/** A check program: records its arguments and environment, exits with the status in `exit`. */
const SCRIPT = join(DIR, 'check.sh')
writeFileSync(SCRIPT, `#!/bin/sh
echo "$@" > ${DIR}/args
env | sort > ${DIR}/env
read code < ${DIR}/exit
[ "$code" = sleep ] && exec sleep 30
exit $code
`)
chmodSync(SCRIPT, 0o755)
const setExit = (v: string): void => writeFileSync(join(DIR, 'exit'), `${v}\n`)

test('the exit status decides; arguments and environment are HAProxy\'s; a program past the deadline is killed', async () => {
  setExit('0')
  await using lb = await startLb(cfg`
    global
      external-check
    listen web
      bind 127.0.0.1:0
      mode tcp
      timeout connect 1s
      timeout client 1s
      timeout server 1s
      option external-check
      external-check path "/usr/bin:/bin"
      external-check command ${SCRIPT}
      server db1 127.0.0.1:3306 check inter 50ms rise 1 fall 1
  `)
  const s = lb.backend('web').servers[0]!
  await until(() => s.lastCheck?.status === 'PROCOK', 'a first external check')
  expect(s.up).toBe(true)
  // The listener as configured (port 0 here: any free port).
  const port = '0'
  expect(readFileSync(join(DIR, 'args'), 'utf8').trim()).toBe(`127.0.0.1 ${port} 127.0.0.1 3306`)
  const env = readFileSync(join(DIR, 'env'), 'utf8')
  for (const line of ['HAPROXY_PROXY_ADDR=127.0.0.1', `HAPROXY_PROXY_PORT=${port}`, 'HAPROXY_PROXY_NAME=web', 'HAPROXY_SERVER_NAME=db1',
    'HAPROXY_SERVER_ADDR=127.0.0.1', 'HAPROXY_SERVER_PORT=3306', 'HAPROXY_SERVER_ID=1', 'HAPROXY_SERVER_SSL=0', 'HAPROXY_SERVER_PROTO=tcp', 'PATH=/usr/bin:/bin']) {
    expect(env).toContain(`${line}\n`)
  }
  expect(env).not.toContain('HOME=')
  setExit('3')
  await until(() => !s.up, 'the server down after a failing program')
  expect(s.lastCheck?.status).toBe('PROCERR')
  expect(s.lastCheck?.code).toBe(3)
  setExit('0')
  await until(() => s.up, 'the server back up')
  setExit('sleep')
  await until(() => s.lastCheck?.status === 'PROCTOUT', 'a program killed at the deadline')
  expect(s.up).toBe(false)
  setExit('0')
})

test('without external-check in global, or without a command, the backend is refused at load', () => {
  const errorsOf = (text: string): string[] => {
    const read = readHaproxy(text, 'x.cfg')
    return buildConfig(read.sections, ['x.cfg']).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)
  }
  const body = 'backend b\n  option external-check\n  external-check command /bin/true\n  server s 127.0.0.1:1 check\n'
  expect(errorsOf(body)).toEqual(["x.cfg:1: error: 'option external-check' needs 'external-check' in the global section, which allows edgelb to run programs"])
  expect(errorsOf('global\n  external-check\nbackend b\n  option external-check\n  server s 127.0.0.1:1 check\n')).toEqual([
    "x.cfg:3: error: 'option external-check' needs 'external-check command PROGRAM' in backend 'b'",
  ])
})
