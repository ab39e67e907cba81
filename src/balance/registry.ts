import { first } from './first.ts'
import { hdr } from './hdr.ts'
import { leastconn } from './leastconn.ts'
import { random } from './random.ts'
import { roundrobin } from './roundrobin.ts'
import { source } from './source.ts'
import { staticRr } from './static-rr.ts'
import { uri } from './uri.ts'
import { urlParam } from './url-param.ts'
import type { LbAlgorithm } from './types.ts'

/** Every `balance` algorithm, listed explicitly: adding one is one import and one entry. */
export const algorithms: readonly LbAlgorithm[] = [roundrobin, staticRr, leastconn, first, source, random, uri, urlParam, hdr]

/** The algorithm for a `balance` keyword, or undefined (the config layer reports it with its position). */
export function findAlgorithm(name: string): LbAlgorithm | undefined {
  return algorithms.find((a) => a.name === name)
}
