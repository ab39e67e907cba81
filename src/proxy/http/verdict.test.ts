import { expect, test } from 'bun:test'
import { now } from '../../core/clock.ts'
import { CONTINUE, REJECT } from '../../rules/types.ts'
import { headOf, proxyFixture } from '../../../test/support/proxy.ts'
import { followVerdict } from './verdict.ts'

const CONFIG = `
defaults
  mode http
  timeout tarpit 2s
listen web
  bind 127.0.0.1:0
  server s1 127.0.0.1:1
`

function session(f: ReturnType<typeof proxyFixture>) {
  const x = f.session()
  x.sess.st.req = headOf('GET / HTTP/1.1\nHost: a\n\n')
  return x
}

test('continue goes on; reject closes without an answer', () => {
  using f = proxyFixture(CONFIG)
  const a = session(f)
  expect(followVerdict(a.sess, CONTINUE, 'R')).toBe(true)
  expect(a.cli.sent).toHaveLength(0)
  const b = session(f)
  expect(followVerdict(b.sess, REJECT, 'R')).toBe(false)
  expect(b.cli.closed).toBe('terminate')
  expect(b.sess.termination).toEqual({ by: 'P', phase: 'R' })
})

test('deny sends its reply when it has one, else the status page; reply is a local answer (L)', () => {
  using f = proxyFixture(CONFIG)
  const a = session(f)
  expect(followVerdict(a.sess, { kind: 'deny', status: 403 }, 'R')).toBe(false)
  expect(a.cli.text()).toStartWith('HTTP/1.1 403 ')
  const b = session(f)
  expect(followVerdict(b.sess, { kind: 'reply', reply: { status: 302, headers: [['location', '/x']], body: '' } }, 'H')).toBe(false)
  expect(b.cli.text()).toStartWith('HTTP/1.1 302 ')
  expect(b.cli.text()).toContain('location: /x\r\n')
  expect(b.sess.termination).toEqual({ by: 'L', phase: 'H' })
})

test('tarpit on a request holds it without an answer for timeout tarpit; on a response it answers at once', () => {
  using f = proxyFixture(CONFIG)
  const a = session(f)
  const before = now()
  expect(followVerdict(a.sess, { kind: 'tarpit', status: 500 }, 'R')).toBe(false)
  expect(a.cli.sent).toHaveLength(0)
  expect(a.sess.cs).toBe('req-done')
  expect(a.sess.tarpitExp).toBeGreaterThanOrEqual(before + 2000)
  const b = session(f)
  expect(followVerdict(b.sess, { kind: 'tarpit', status: 500 }, 'H')).toBe(false)
  expect(b.cli.text()).toStartWith('HTTP/1.1 500 ')
})
