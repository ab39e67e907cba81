import { createHashState } from './hashing.ts'
import type { LbAlgorithm } from './types.ts'

// HAProxy's `balance url_param NAME`: requests carrying the same value of a query-string parameter
// (a user or session id) go to the same server; without it, they are spread by weight.
export const urlParam: LbAlgorithm = { name: 'url_param', create: createHashState }
