// The SPOP frames of option spop-check: varints, the HAPROXY-HELLO bytes, the AGENT-HELLO reasons.
import { describe, expect, test } from 'bun:test'
import { agentHelloProblem, decodeVarint, encodeVarint, helloFrame } from './spop.ts'

/** An AGENT-HELLO frame body (no length) with the given flags and key/value bytes. */
function agentHello(kv: number[], flags = 1): Uint8Array {
  return Uint8Array.from([101, (flags >>> 24) & 255, (flags >>> 16) & 255, (flags >>> 8) & 255, flags & 255, 0, 0, ...kv])
}
const s = (t: string) => [...encodeVarint(t.length), ...Buffer.from(t, 'latin1')]
const version = (v: string) => [...s('version'), 8, ...s(v)]
const frameSize = (n: number) => [...s('max-frame-size'), 3, ...encodeVarint(n)]
const caps = [...s('capabilities'), 8, ...s('')]

describe('spop-check frames', () => {
  test('varints: one byte under 240, 16380 as FC F0 06, and back', () => {
    expect(encodeVarint(5)).toEqual([5])
    expect(encodeVarint(16380)).toEqual([0xfc, 0xf0, 0x06])
    expect(decodeVarint(Uint8Array.from([0xfc, 0xf0, 0x06]), 0)).toEqual({ value: 16380, next: 3 })
    expect(decodeVarint(Uint8Array.from([0xfc, 0xf0]), 0)).toBeUndefined()
    for (const n of [239, 240, 2287, 2288, 300000]) expect(decodeVarint(Uint8Array.from(encodeVarint(n)), 0)?.value).toBe(n)
  })
  test('HAPROXY-HELLO: 82 bytes, its length first, FIN set, stream and frame id 0', () => {
    const f = helloFrame()
    expect(f.length).toBe(82)
    expect(f.readUInt32BE(0)).toBe(78)
    expect([...f.subarray(4, 11)]).toEqual([1, 0, 0, 0, 1, 0, 0])
    expect(f.includes(Buffer.from('supported-versions'))).toBe(true)
    expect(f.subarray(-12).toString('latin1')).toBe('healthcheck\x11')
  })
  test('AGENT-HELLO: good, and each of HAProxy\'s reasons', () => {
    expect(agentHelloProblem(agentHello([...version('2.0'), ...frameSize(16380), ...caps]))).toBeUndefined()
    expect(agentHelloProblem(agentHello([...version('1.0,2.0'), ...frameSize(256), ...caps]))).toBeUndefined()
    expect(agentHelloProblem(new Uint8Array(0))).toBe('invalid frame received')
    expect(agentHelloProblem(agentHello([...version('2.0'), ...frameSize(16380), ...caps], 0))).toBe('fragmentation not supported')
    expect(agentHelloProblem(agentHello([...version('1.0'), ...frameSize(16380), ...caps]))).toBe('unsupported version')
    expect(agentHelloProblem(agentHello([...version('2.0'), ...frameSize(100), ...caps]))).toBe('max-frame-size too big or too small')
    expect(agentHelloProblem(agentHello([...frameSize(16380), ...caps]))).toBe('version value not found')
    expect(agentHelloProblem(agentHello([...version('2.0'), ...caps]))).toBe('max-frame-size value not found')
    expect(agentHelloProblem(agentHello([...version('2.0'), ...frameSize(16380)]))).toBe('capabilities value not found')
  })
})
