import { createHashState } from './hashing.ts'
import type { LbAlgorithm } from './types.ts'

// HAProxy's `balance hdr(NAME)`: requests with the same value of a header (Host, a tenant id) go
// to the same server; without the header, they are spread by weight.
export const hdr: LbAlgorithm = { name: 'hdr', create: createHashState }
