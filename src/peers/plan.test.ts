import { expect, test } from 'bun:test'
import { planPeers } from './plan.ts'

const at = { file: 'x.cfg', line: 1 }

test('the local peer listens where its bind says (fd@N too); a peer without an address is linked only by its own connections', () => {
  const plan = planPeers({
    name: 'mypeers', pos: at,
    peers: [{ name: 'A', address: '', pos: at }, { name: 'B', address: ':', pos: at }, { name: 'C', address: '10.0.0.3:10000', pos: at }],
    binds: [{ address: 'fd@7', pos: at }],
  }, 'A', [], new Map())
  if (typeof plan === 'string') throw new Error(plan)
  expect(plan.bind).toEqual({ kind: 'fd', fd: 7 })
  expect(plan.peers).toEqual([{ name: 'B', host: '', port: 0 }, { name: 'C', host: '10.0.0.3', port: 10000 }])
})

test('a remote peer given a listening socket (fd@) is refused with the reason', () => {
  const plan = planPeers({ name: 'p', pos: at, peers: [{ name: 'A', address: '127.0.0.1:1', pos: at }, { name: 'B', address: 'fd@4', pos: at }] }, 'A', [], new Map())
  expect(plan).toBe("peer 'B' of section 'p' is reached at fd@4, a listening socket; give it ADDRESS:PORT")
})
