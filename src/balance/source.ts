import { createHashState } from './hashing.ts'
import type { LbAlgorithm } from './types.ts'

// HAProxy's `balance source`: the same client address goes to the same server while the set of
// servers is unchanged (map-based) or mostly so (consistent). The caller passes the address in
// `req.hashKey`, as raw bytes for HAProxy's placement.
export const source: LbAlgorithm = { name: 'source', create: createHashState }
