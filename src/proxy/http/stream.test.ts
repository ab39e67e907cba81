import { expect, test } from 'bun:test'
import { headOf } from '../../../test/support/proxy.ts'
import { recycleStream, Stream, takeStream } from './stream.ts'

test('a recycled stream is taken again with every field at its starting value', () => {
  const fresh = new Stream()
  const st = takeStream()
  st.req = headOf('GET / HTTP/1.1\nHost: a\n\n')
  st.status = 200
  st.retries = 2
  st.cliClose = true
  st.vars.set('txn.x', 'y')
  st.sc[0] = undefined
  st.tcpRuleAt = 3
  recycleStream(st)
  const again = takeStream()
  expect(again).toBe(st)
  expect({ ...again }).toEqual({ ...fresh })
  expect(again.tracked).toBe(false)
  expect(again.vars.size).toBe(0)
  recycleStream(again)
})

test('every field exists from the start: the shape never changes as a request goes', () => {
  const st = new Stream()
  const keys = Object.keys(st)
  for (const k of ['tcpRuleAt', 'persisted', 'captures', 'log', 'logLevel', 'be', 'server', 'holdsSlot']) expect(keys).toContain(k)
})
