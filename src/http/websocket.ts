/**
 * The WebSocket handshake as an HTTP/1.1 intermediary checks it (RFC 6455 §4, HAProxy's
 * h1_search_websocket_key): an upgrade to `websocket` must carry `Sec-WebSocket-Key` (else the
 * request is refused, 400), and the server's `101` must carry `Sec-WebSocket-Accept` (else the
 * response is refused, 502). The values are the endpoints' business: only their presence is
 * checked.
 */
import type { H1Head } from './types.ts'

/** Whether `head` asks to switch to (or switches to) the WebSocket protocol: `Connection:
 *  upgrade` and `websocket` among the tokens of `Upgrade`. */
export function isWebSocketUpgrade(head: H1Head): boolean {
  if (!head.connUpgrade) return false
  const h = head.headers
  for (let i = h.find('upgrade', 0); i >= 0; i = h.find('upgrade', i + 1)) {
    for (const token of h.value(i).split(',')) if (token.trim().toLowerCase() === 'websocket') return true
  }
  return false
}

/** The field a WebSocket handshake message must carry and does not: `Sec-WebSocket-Key` in the
 *  request, `Sec-WebSocket-Accept` in the response. Undefined when it is there (or the message is
 *  no WebSocket upgrade). */
export function missingWebSocketKey(head: H1Head): string | undefined {
  if (!isWebSocketUpgrade(head)) return undefined
  const name = head.kind === 'request' ? 'sec-websocket-key' : 'sec-websocket-accept'
  return head.headers.find(name, 0) < 0 ? name : undefined
}
