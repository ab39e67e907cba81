/**
 * The action keywords of HAProxy's rule sets — the first word after `http-request`,
 * `http-response`, `http-after-response`, `tcp-request connection|session|content` and
 * `tcp-response content` — mirroring HAProxy 2.6+'s action set (up to the 3.x series).
 *
 * How actions are written, which the reader must account for before looking a word up:
 *  - Some actions carry an argument in parentheses on the keyword itself: `set-var(txn.x)`,
 *    `set-var-fmt(…)`, `unset-var(…)`, `add-acl(file)`, `del-acl(…)`, `set-map(…)`,
 *    `del-map(…)`, `do-resolve(…)`, `sc-inc-gpc(0,1)`, `sc-inc-gpc0(1)`, `sc-set-gpt0(0)`…
 *    Match on the part before '('.
 *  - `track-sc0`, `track-sc1`, `track-sc2` are listed; `track-sc<N>` with a higher N is
 *    valid when `tune.stick-counters` raises the number of counters.
 *  - Lua registers actions at run time as `lua.<name>`: any word with the `lua.` prefix is an
 *    action HAProxy may know (it depends on the loaded Lua code).
 */

/** `sc-*` stick-counter updates, shared by every rule set. */
const stickCounterActions = [
  'sc-add-gpc',
  'sc-inc-gpc',
  'sc-inc-gpc0',
  'sc-inc-gpc1',
  'sc-set-gpt',
  'sc-set-gpt0',
] as const

const trackActions = ['track-sc0', 'track-sc1', 'track-sc2'] as const

const varActions = ['set-var', 'set-var-fmt', 'unset-var'] as const

/** Rewrite the connection's addresses and marks: every rule set that runs on the request side. */
const addressActions = ['set-src', 'set-src-port', 'set-dst', 'set-dst-port', 'set-mark', 'set-tos', 'set-fc-mark', 'set-fc-tos'] as const

/** Backend-side marks and scheduling priority: http-request and tcp-request content. */
const priorityActions = ['set-bc-mark', 'set-bc-tos', 'set-nice', 'set-priority-class', 'set-priority-offset'] as const

export const httpRequestActions: readonly string[] = [
  // Verdicts
  'allow',
  'deny',
  'reject',
  'tarpit',
  'auth',
  'redirect',
  'return',
  'silent-drop',
  'use-service',
  // Headers
  'add-header',
  'set-header',
  'del-header',
  'replace-header',
  'replace-value',
  'add-headers-bin',
  'set-headers-bin',
  'del-headers-bin',
  'early-hint',
  // Request line
  'set-method',
  'set-path',
  'set-pathq',
  'set-query',
  'set-uri',
  'replace-path',
  'replace-pathq',
  'replace-uri',
  'normalize-uri',
  // Variables, maps, ACL files
  ...varActions,
  'add-acl',
  'del-acl',
  'set-map',
  'del-map',
  // Stick counters
  ...trackActions,
  ...stickCounterActions,
  // Connection and stream tuning
  ...addressActions,
  ...priorityActions,
  'set-timeout',
  'set-retries',
  'set-bandwidth-limit',
  'disable-l7-retry',
  'strict-mode',
  'do-resolve',
  // Logging and capture
  'capture',
  'set-log-level',
  'do-log',
  // Waiting
  'wait-for-body',
  'wait-for-handshake',
  'pause',
  // Cache and offload engines
  'cache-use',
  'send-spoe-group',
]

export const httpResponseActions: readonly string[] = [
  'allow',
  'deny',
  'redirect',
  'return',
  'silent-drop',
  'add-header',
  'set-header',
  'del-header',
  'replace-header',
  'replace-value',
  'add-headers-bin',
  'set-headers-bin',
  'del-headers-bin',
  'set-status',
  ...varActions,
  'add-acl',
  'del-acl',
  'set-map',
  'del-map',
  ...trackActions,
  ...stickCounterActions,
  'set-mark',
  'set-tos',
  'set-fc-mark',
  'set-fc-tos',
  'set-nice',
  'set-timeout',
  'set-bandwidth-limit',
  'strict-mode',
  'capture',
  'set-log-level',
  'do-log',
  'wait-for-body',
  'pause',
  'cache-store',
  'send-spoe-group',
]

export const httpAfterResponseActions: readonly string[] = [
  'allow',
  'add-header',
  'set-header',
  'del-header',
  'replace-header',
  'replace-value',
  'add-headers-bin',
  'set-headers-bin',
  'del-headers-bin',
  'set-status',
  ...varActions,
  'del-acl',
  'set-map',
  'del-map',
  ...stickCounterActions,
  'strict-mode',
  'capture',
  'set-log-level',
  'do-log',
]

export const tcpRequestConnectionActions: readonly string[] = [
  'accept',
  'reject',
  'expect-proxy', // written 'expect-proxy layer4'
  'expect-netscaler-cip', // written 'expect-netscaler-cip layer4'
  'silent-drop',
  ...trackActions,
  ...stickCounterActions,
  ...varActions,
  ...addressActions,
  'do-log',
]

export const tcpRequestSessionActions: readonly string[] = [
  'accept',
  'reject',
  'silent-drop',
  'attach-srv',
  ...trackActions,
  ...stickCounterActions,
  ...varActions,
  ...addressActions,
  'do-log',
]

export const tcpRequestContentActions: readonly string[] = [
  'accept',
  'reject',
  'silent-drop',
  'use-service',
  'switch-mode',
  'capture',
  ...trackActions,
  ...stickCounterActions,
  ...varActions,
  ...addressActions,
  ...priorityActions,
  'set-retries',
  'set-bandwidth-limit',
  'set-log-level',
  'do-log',
  'do-resolve',
  'send-spoe-group',
]

export const tcpResponseContentActions: readonly string[] = [
  'accept',
  'reject',
  'close',
  'silent-drop',
  ...stickCounterActions,
  ...varActions,
  'set-mark',
  'set-tos',
  'set-fc-mark',
  'set-fc-tos',
  'set-nice',
  'set-bandwidth-limit',
  'set-log-level',
  'do-log',
  'send-spoe-group',
]
