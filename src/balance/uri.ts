import { createHashState } from './hashing.ts'
import type { LbAlgorithm } from './types.ts'

// HAProxy's `balance uri [whole] [len N] [depth N]`: the same URI goes to the same server, so a
// farm of caches holds each object once. The HTTP session extracts the key (src/http/balance-key.ts).
export const uri: LbAlgorithm = { name: 'uri', create: createHashState }
