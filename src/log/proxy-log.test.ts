import { describe, expect, test } from 'bun:test'
import type { LogTarget } from '../model/types.ts'
import { LogOutputs } from './outputs.ts'
import { buildProxyLog } from './proxy-log.ts'

const POS = { file: 'edgelb.cfg', line: 1 }

/** A ProxyLog over `targets` writing stdout/stderr lines into arrays. */
function proxyLog(targets: Omit<LogTarget, 'pos'>[], opts: { separateErrors?: boolean; dontLogNormal?: boolean; host?: string } = {}) {
  const out: string[] = []
  const err: string[] = []
  const outputs = new LogOutputs({ out: (l) => out.push(l), err: (l) => err.push(l) })
  const log = buildProxyLog(targets.map((t) => ({ ...t, pos: POS })), {
    outputs, tag: 'edgelb', host: opts.host ?? '', separateErrors: opts.separateErrors ?? false, dontLogNormal: opts.dontLogNormal ?? false,
  })
  return { log: log!, out, err }
}

describe('a log line: level, minlevel, format, len, sample', () => {
  test('the level filter drops lines less severe than it; minlevel writes more severe ones at it', () => {
    const { log, out } = proxyLog([{ address: 'stdout', format: 'priority', facility: 'local0', level: 'notice', minLevel: 'warning' }])
    log.send(6, 'info line')
    log.send(5, 'notice line')
    log.send(1, 'alert line')
    expect(out).toEqual(['<133>notice line', '<132>alert line'])
  })

  test('stderr lines go to stderr; targets not sent to yet go to stdout, formatted as they would be sent', () => {
    const { log, out, err } = proxyLog([
      { address: 'stderr', format: 'raw', facility: 'local0' },
      { address: 'backend@logs', format: 'short', facility: 'daemon' },
    ])
    log.send(3, 'x')
    expect(err).toEqual(['x'])
    expect(out).toEqual(['<3>x'])
  })

  test('len cuts header and message together (the line feed counts)', () => {
    const { log, out } = proxyLog([{ address: 'stdout', format: 'priority', facility: 'local0', len: 80 }])
    log.send(6, 'm'.repeat(200))
    expect(out).toEqual(['<134>' + 'm'.repeat(74)])
  })

  test('sample 1:3 sends the first of every three lines its level lets through', () => {
    const { log, out } = proxyLog([{ address: 'stdout', format: 'raw', facility: 'local0', level: 'info', sample: '1:3' }])
    for (let i = 1; i <= 7; i++) { log.send(7, `debug ${i}`); log.send(6, `line ${i}`) }
    expect(out).toEqual(['line 1', 'line 4', 'line 7'])
  })

  test('no format: local, or rfc3164 once log-send-hostname gives a hostname', () => {
    const local = proxyLog([{ address: 'stdout', facility: 'local0' }])
    local.log.send(6, 'm')
    expect(local.out[0]).toMatch(/^<134>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d edgelb\[\d+\]: m$/)
    const named = proxyLog([{ address: 'stdout', facility: 'local0' }], { host: 'lb1' })
    named.log.send(6, 'm')
    expect(named.out[0]).toMatch(/^<134>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d lb1 edgelb\[\d+\]: m$/)
  })
})

describe('the level of traffic lines', () => {
  const targets = [{ address: 'stdout', format: 'raw', facility: 'local0' }]

  test('info; errors too unless log-separate-errors raises them to err', () => {
    expect(proxyLog(targets).log.trafficLevel(false, undefined)).toBe(6)
    expect(proxyLog(targets).log.trafficLevel(true, undefined)).toBe(6)
    expect(proxyLog(targets, { separateErrors: true }).log.trafficLevel(true, undefined)).toBe(3)
    expect(proxyLog(targets, { separateErrors: true }).log.trafficLevel(false, undefined)).toBe(6)
  })

  test('dontlog-normal keeps only errors; set-log-level replaces the level, silent drops the line', () => {
    expect(proxyLog(targets, { dontLogNormal: true }).log.trafficLevel(false, 'err')).toBe(-1)
    expect(proxyLog(targets, { dontLogNormal: true }).log.trafficLevel(true, undefined)).toBe(6)
    expect(proxyLog(targets, { separateErrors: true }).log.trafficLevel(true, 'notice')).toBe(5)
    expect(proxyLog(targets).log.trafficLevel(false, 'silent')).toBe(-1)
  })

  test('a level no log line sends is not worth building', () => {
    const { log } = proxyLog([{ address: 'stdout', format: 'raw', facility: 'local0', level: 'notice' }, { address: 'stderr', format: 'raw', facility: 'local0', level: 'err' }])
    expect(log.maxLevel).toBe(5)
    expect(log.trafficLevel(false, undefined)).toBe(-1)
    expect(log.trafficLevel(false, 'notice')).toBe(5)
  })

  test('no log line: nothing to build', () => {
    const outputs = new LogOutputs({ out() {}, err() {} })
    expect(buildProxyLog([], { outputs, tag: 'edgelb', host: '', separateErrors: false, dontLogNormal: false })).toBeNull()
  })
})
