import { expect, test } from 'bun:test'
import { headOf } from '../../../test/support/proxy.ts'
import { captured, countConnection, pathOf, setConnection } from './headers.ts'

test('the path of a request target: origin form as is, absolute form from its first slash, no query', () => {
  expect(pathOf('/status')).toBe('/status')
  expect(pathOf('/a/b?x=1')).toBe('/a/b')
  expect(pathOf('http://example.com/a?x=1')).toBe('/a')
  expect(pathOf('http://example.com')).toBe('/')
  expect(pathOf('*')).toBe('*')
})

test('captured header values are cut to their lengths; a missing header is empty', () => {
  const h = headOf('GET / HTTP/1.1\nHost: www.example.com\nUser-Agent: curl/8\n\n')
  expect(captured([{ lname: 'host', len: 3 }, { lname: 'x-none', len: 9 }, { lname: 'user-agent', len: 64 }], h)).toEqual(['www', '', 'curl/8'])
})

test('Connection lines are counted, and replaced by one token or removed', () => {
  const h = headOf('GET / HTTP/1.1\nHost: a\nConnection: keep-alive\nConnection: upgrade\n\n')
  expect(countConnection(h)).toBe(2)
  setConnection(h, 'close')
  expect(countConnection(h)).toBe(1)
  expect(h.headers.get('connection')).toBe('close')
  setConnection(h, null)
  expect(countConnection(h)).toBe(0)
})
