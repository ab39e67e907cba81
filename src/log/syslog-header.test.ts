import { describe, expect, test } from 'bun:test'
import { formatIsoDate, formatSyslogDate } from './date.ts'
import { compileHeader, SYSLOG_FORMATS, type SyslogIdentity } from './syslog-header.ts'

/** 1 Nov 2026, 02:03:04.005678 local time: the fields are known whatever the machine's zone. */
const T = new Date(2026, 10, 1, 2, 3, 4).getTime() + 5.678
const OFF = -new Date(T).getTimezoneOffset()
const ZONE = `${OFF < 0 ? '-' : '+'}${String(Math.floor(Math.abs(OFF) / 60)).padStart(2, '0')}:${String(Math.abs(OFF) % 60).padStart(2, '0')}`
const ISO = `2026-11-01T02:03:04.005678${ZONE}`

const ID: SyslogIdentity = { facility: 16, host: '', tag: 'edgelb', pid: 4242 }
const INFO = 6
const ERR = 3

describe('syslog dates', () => {
  test('rfc3164 pads the day with a space; iso has microseconds and the zone offset', () => {
    expect(formatSyslogDate(T)).toBe('Nov  1 02:03:04')
    expect(formatSyslogDate(new Date(2026, 0, 21, 23, 59, 59).getTime())).toBe('Jan 21 23:59:59')
    expect(formatIsoDate(T)).toBe(ISO)
    expect(formatIsoDate(T + 1000)).toBe(`2026-11-01T02:03:05.005678${ZONE}`)
    expect(formatIsoDate(new Date(2026, 10, 1, 2, 3, 4).getTime())).toBe(`2026-11-01T02:03:04.000000${ZONE}`)
  })
})

describe('syslog headers, byte for byte as HAProxy writes them', () => {
  test('local (the default): PRI, legacy date, tag[pid]: and no hostname', () => {
    expect(compileHeader('local', ID)(INFO, T)).toBe('<134>Nov  1 02:03:04 edgelb[4242]: ')
    expect(compileHeader(undefined, ID)(INFO, T)).toBe('<134>Nov  1 02:03:04 edgelb[4242]: ')
  })

  test('rfc3164: the hostname field (localhost when none is sent); the default once a hostname is sent', () => {
    expect(compileHeader('rfc3164', ID)(ERR, T)).toBe('<131>Nov  1 02:03:04 localhost edgelb[4242]: ')
    const named = { ...ID, host: 'lb1' }
    expect(compileHeader('rfc3164', named)(INFO, T)).toBe('<134>Nov  1 02:03:04 lb1 edgelb[4242]: ')
    expect(compileHeader(undefined, named)(INFO, T)).toBe('<134>Nov  1 02:03:04 lb1 edgelb[4242]: ')
  })

  test('rfc5424: version 1, iso date, host (or -), app, pid, no msgid, no structured data', () => {
    expect(compileHeader('rfc5424', ID)(INFO, T)).toBe(`<134>1 ${ISO} - edgelb 4242 - - `)
    expect(compileHeader('rfc5424', { ...ID, host: 'lb1', tag: 'web' })(ERR, T)).toBe(`<131>1 ${ISO} lb1 web 4242 - - `)
  })

  test('priority keeps the facility; short and timed write the level alone; iso the date; raw nothing', () => {
    expect(compileHeader('priority', ID)(INFO, T)).toBe('<134>')
    expect(compileHeader('short', ID)(INFO, T)).toBe('<6>')
    expect(compileHeader('short', ID)(ERR, T)).toBe('<3>')
    expect(compileHeader('timed', ID)(INFO, T)).toBe(`<6>${ISO} `)
    expect(compileHeader('iso', ID)(INFO, T)).toBe(`${ISO} `)
    expect(compileHeader('raw', ID)(INFO, T)).toBe('')
  })

  test('PRI is facility * 8 + level, for every facility and level', () => {
    for (let f = 0; f < 24; f++) {
      for (let lv = 0; lv < 8; lv++) expect(compileHeader('priority', { ...ID, facility: f })(lv, T)).toBe(`<${f * 8 + lv}>`)
    }
  })

  test('a proxy log-tag replaces the program name; every format is known by name', () => {
    expect(compileHeader('local', { ...ID, tag: 'front1' })(INFO, T)).toBe('<134>Nov  1 02:03:04 front1[4242]: ')
    expect([...SYSLOG_FORMATS]).toEqual(['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'])
  })
})
