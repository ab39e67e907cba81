import { describe, expect, test } from 'bun:test'
import { buildConfig } from '../build.ts'
import { readHaproxy } from '../haproxy/reader.ts'

const BASE = 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n'

describe('tune.rcvbuf / tune.sndbuf', () => {
  test('client and server sizes are read into tune', () => {
    const read = readHaproxy('global\n  tune.rcvbuf.server 16k\n  tune.sndbuf.client 32768\n' + BASE + 'listen web\n  bind :8080\n', 't.cfg')
    const built = buildConfig(read.sections, ['t.cfg'])
    expect(built.config?.global.tune['rcvbuf.server']).toBe(16384)
    expect(built.config?.global.tune['sndbuf.client']).toBe(32768)
  })
})
