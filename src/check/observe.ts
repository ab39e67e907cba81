/**
 * Passive health (`observe layer4|layer7`, `error-limit N`, `on-error MODE`): what sessions see
 * of a server becomes a health signal. A success clears the count of consecutive errors; at
 * `error-limit` errors in a row the server is treated according to `on-error`:
 *
 *   fastinter     check again at `fastinter` (every mode does that too)
 *   fail-check    as one failed health check (status HANA)
 *   sudden-death  as a failed check that leaves one more failure before down
 *   mark-down     down at once
 *
 * Sessions call `server.reportResult(kind)`; the server forwards to the observer installed here
 * only when `observe` is set.
 */
import type { ObservedResult, Server } from '../backend/server.ts'
import type { ServerStates } from './state.ts'

/** For each result: its description, and whether layer 4 / layer 7 observation counts it as
 *  an error (1), a success (2), or ignores it (0). */
const ANALYZE: Readonly<Record<ObservedResult, { desc: string; l4: 0 | 1 | 2; l7: 0 | 1 | 2 }>> = {
  'l4-ok': { desc: 'L4 successful connection', l4: 2, l7: 0 },
  'l4-err': { desc: 'L4 unsuccessful connection', l4: 1, l7: 1 },
  'http-ok': { desc: 'Correct http response', l4: 0, l7: 2 },
  'http-status': { desc: 'Wrong http response', l4: 0, l7: 1 },
  'http-header': { desc: 'Invalid http response (headers)', l4: 0, l7: 1 },
  'http-response': { desc: 'Invalid http response', l4: 0, l7: 1 },
  'http-read-error': { desc: 'Read error (http)', l4: 0, l7: 1 },
  'http-read-timeout': { desc: 'Read timeout (http)', l4: 0, l7: 1 },
  'http-broken-pipe': { desc: 'Close from server (http)', l4: 0, l7: 1 },
}

/** Installs passive health on `s` (when configured). `forceFastinter(s)` makes its next health
 *  check come at `fastinter`. */
export function installObserver(s: Server, states: ServerStates, forceFastinter: (s: Server) => void): void {
  const layer = s.cfg.observe
  if (layer === undefined) return
  const limit = s.cfg.errorLimit
  const mode = s.cfg.onError
  s.observer = (srv, r) => {
    const a = ANALYZE[r]
    const verdict = layer === 'layer4' ? a.l4 : a.l7
    if (verdict === 0) return
    if (verdict === 2) { srv.consecutiveErrors = 0; return }
    if (++srv.consecutiveErrors < limit) return
    const info = `Detected ${srv.consecutiveErrors} consecutive errors, last one was: ${a.desc}`
    srv.consecutiveErrors = 0
    srv.counters.failedObserve++
    if (mode !== 'fastinter') states.observedFailure(srv, info, mode)
    forceFastinter(srv)
  }
}
