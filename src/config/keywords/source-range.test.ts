import { describe, expect, test } from 'bun:test'
import { ephemeralPorts, parseSource } from './source-range.ts'

const AT = { file: 'x.cfg', line: 3 }
const strict = { checkAddress: true }

describe('parseSource', () => {
  test('an address, with or without a port, is passed on as written', () => {
    expect(parseSource('10.0.0.1', 'source', AT, strict)).toBe('10.0.0.1')
    expect(parseSource('10.0.0.1:5000', 'source', AT, strict)).toBe('10.0.0.1:5000')
    expect(parseSource('::1', 'source', AT, strict)).toBe('::1')
  })

  test("a range that holds the kernel's ephemeral ports gives the address alone", () => {
    const [lo, hi] = ephemeralPorts()
    expect(parseSource('0.0.0.0:1025-65535', 'source', AT, strict)).toBe('0.0.0.0')
    expect(parseSource(`10.1.2.3:${lo}-${hi}`, 'source', AT, strict)).toBe('10.1.2.3')
    expect(parseSource('[::]:1-65535', 'source', AT, strict)).toBe('::')
  })

  test('a range that does not, or is no range, is refused at its line', () => {
    const [lo, hi] = ephemeralPorts()
    expect(() => parseSource(`0.0.0.0:${lo + 1}-${hi}`, 'source', AT, strict)).toThrow(`'source': edgelb lets the kernel pick source ports, from ${lo}-${hi} on this system, which the range ${lo + 1}-${hi} does not contain`)
    expect(() => parseSource('0.0.0.0:2000-1000', 'source', AT, strict)).toThrow("'source': the port range 2000-1000 in '0.0.0.0:2000-1000' is not one")
    expect(() => parseSource('nowhere', 'source', AT, strict)).toThrow("'source' expects an IP address (optionally :port), got 'nowhere'")
    expect(parseSource('nowhere', 'source', AT, { checkAddress: false })).toBe('nowhere')
  })
})
