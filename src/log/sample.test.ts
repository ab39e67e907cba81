import { expect, test } from 'bun:test'
import { parseSample } from './sample.ts'

const AT = { file: 'edgelb.cfg', line: 4 }

test('sample RANGES:SIZE marks the positions sent in each cycle', () => {
  expect([...parseSample('1:2', AT).take]).toEqual([1, 0])
  expect([...parseSample('1-2,5:6', AT).take]).toEqual([1, 1, 0, 0, 1, 0])
  expect([...parseSample('3:3', AT).take]).toEqual([0, 0, 1])
})

test('bad samples are refused', () => {
  expect(() => parseSample('1', AT)).toThrow("missing ':SIZE' in '1'")
  expect(() => parseSample('1:0', AT)).toThrow("wrong sample size '0'")
  expect(() => parseSample('0:2', AT)).toThrow("wrong sample range '0'")
  expect(() => parseSample('3-2:4', AT)).toThrow("wrong sample range '3-2'")
  expect(() => parseSample('2-2:4', AT)).toThrow("wrong sample range '2-2'")
  expect(() => parseSample('1-5:4', AT)).toThrow('sample size 4 should be greater or equal to 5')
  expect(() => parseSample('1-3,2:4', AT)).toThrow('sample ranges overlap')
  expect(() => parseSample(':4', AT)).toThrow('no sampling ranges')
})
