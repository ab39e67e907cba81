import { addressBytes } from '../core/ip.ts'
import { noArgs } from './args.ts'
import { consistentOnly, createHashState } from './hashing.ts'
import type { LbAlgorithm, LbKey } from './types.ts'

// HAProxy's `balance source`: the same client address goes to the same server while the set of
// servers is unchanged (map-based) or mostly so (consistent). The key is the address as raw
// bytes, 4 for IPv4 and 16 for IPv6, as HAProxy hashes it; a client without one (a UNIX socket)
// is spread by weight.

const key: LbKey = { from: 'source', get: addressBytes }

export const source: LbAlgorithm = {
  name: 'source',
  hashes: 'source',
  httpOnly: false,
  dynamicWeights: consistentOnly,
  parse: noArgs('source'),
  key: () => key,
  create: createHashState,
}
