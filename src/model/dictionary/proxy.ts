/**
 * Every keyword of HAProxy's proxy sections (defaults, frontend, backend, listen), mirroring
 * HAProxy 2.6+'s keyword matrix (up to the 3.x series), with a few keywords later releases
 * removed but old configurations still carry (`grace`, `bind-process`, the
 * `option accept-invalid-*` pair renamed in 3.0).
 *
 * This table is the one place that says where a proxy keyword may be written and whether it
 * takes `no`: edgelb's own keyword tables (config/keywords/) say what a keyword does, and
 * config/build.ts places those keywords by their entry here (a keyword edgelb implements must
 * have one), so the two cannot disagree.
 *
 * `sections` holds the letters of 'dfbl' (defaults, frontend, backend, listen) of the "May be
 * used in sections" table of HAProxy 2.6's manual; `namedDefaultsOnly` marks the ACLs and rule
 * sets HAProxy (2.5+) refuses in an anonymous defaults section. `noForm` marks the keywords that
 * take a leading `no` (the options marked (*) in the manual, and `log`); HAProxy accepts
 * `default` in the same places and refuses both elsewhere ("negation/default is not supported").
 *
 * Multi-word keywords are phrases: the second word is part of the keyword (`timeout connect`,
 * `option httpchk`, `stats uri`, `http-check expect`, `tcp-request content`). The rule sets
 * `http-request`, `http-response` and `http-after-response` are single words here: their
 * actions live in actions.ts.
 */
import type { KnownKeyword } from './types.ts'

export const proxyKeywords: readonly KnownKeyword[] = [
  // --- Proxy identity, mode and limits ------------------------------------------------------
  { kw: 'mode', sections: 'dfbl' },
  { kw: 'id', sections: 'fbl' },
  { kw: 'guid', sections: 'fbl' },
  { kw: 'description', sections: 'fbl' },
  { kw: 'disabled', sections: 'dfbl' },
  { kw: 'enabled', sections: 'dfbl' },
  { kw: 'maxconn', sections: 'dfl' },
  { kw: 'backlog', sections: 'dfl' },
  { kw: 'fullconn', sections: 'dbl' },
  { kw: 'max-keep-alive-queue', sections: 'dbl' },
  { kw: 'max-session-srv-conns', sections: 'dfl' },
  { kw: 'rate-limit sessions', sections: 'dfl', protects: 'access' },
  { kw: 'bind-process', sections: 'dfbl' }, // removed with nbproc in 2.5
  { kw: 'grace', sections: 'dfbl' }, // per-proxy grace: removed in 2.x, a global keyword now

  // --- Listening and routing ----------------------------------------------------------------
  { kw: 'bind', sections: 'fl' },
  { kw: 'default_backend', sections: 'dfl' },
  { kw: 'use_backend', sections: 'fl' },
  { kw: 'force-be-switch', sections: 'fl' },
  { kw: 'use-server', sections: 'bl' },
  { kw: 'use-fcgi-app', sections: 'bl' },
  { kw: 'dispatch', sections: 'bl' },
  { kw: 'transparent', sections: 'dbl' }, // deprecated in favour of 'option transparent'
  { kw: 'redirect', sections: 'fbl' },
  { kw: 'monitor-uri', sections: 'dfl' },
  { kw: 'monitor fail', sections: 'fl' },
  { kw: 'ssl-f-use', sections: 'fl' },
  { kw: 'quic-initial', sections: 'dfl' },

  // --- Servers and load balancing -------------------------------------------------------------
  { kw: 'server', sections: 'bl', failIfNotCap: true },
  { kw: 'default-server', sections: 'dbl', failIfNotCap: true },
  { kw: 'server-template', sections: 'bl', failIfNotCap: true },
  { kw: 'balance', sections: 'dbl' },
  { kw: 'hash-type', sections: 'dbl' },
  { kw: 'hash-balance-factor', sections: 'dbl' },
  { kw: 'hash-preserve-affinity', sections: 'dbl' },
  { kw: 'retries', sections: 'dbl' },
  { kw: 'retry-on', sections: 'dbl' },
  { kw: 'source', sections: 'dbl' },
  { kw: 'http-reuse', sections: 'dbl' },
  { kw: 'http-send-name-header', sections: 'dbl' },
  { kw: 'load-server-state-from-file', sections: 'dbl' },
  { kw: 'server-state-file-name', sections: 'dbl' },

  // --- Persistence and stickiness -------------------------------------------------------------
  { kw: 'cookie', sections: 'dbl' },
  { kw: 'dynamic-cookie-key', sections: 'dbl' },
  { kw: 'persist rdp-cookie', sections: 'dbl' },
  { kw: 'force-persist', sections: 'bl' }, // older manuals listed frontends: HAProxy warns, it never applied there
  { kw: 'ignore-persist', sections: 'bl' },
  { kw: 'stick-table', sections: 'fbl' },
  { kw: 'stick match', sections: 'bl' },
  { kw: 'stick on', sections: 'bl' },
  { kw: 'stick store-request', sections: 'bl' },
  { kw: 'stick store-response', sections: 'bl' },

  // --- ACLs and rule sets ---------------------------------------------------------------------
  { kw: 'acl', sections: 'dfbl', namedDefaultsOnly: true },
  { kw: 'http-request', sections: 'dfbl', namedDefaultsOnly: true },
  { kw: 'http-response', sections: 'dfbl', namedDefaultsOnly: true },
  { kw: 'http-after-response', sections: 'dfbl', namedDefaultsOnly: true },
  { kw: 'tcp-request connection', sections: 'dfl', failIfNotCap: true, namedDefaultsOnly: true },
  { kw: 'tcp-request session', sections: 'dfl', failIfNotCap: true, namedDefaultsOnly: true },
  { kw: 'tcp-request content', sections: 'dfbl', namedDefaultsOnly: true },
  { kw: 'tcp-request inspect-delay', sections: 'dfbl', namedDefaultsOnly: true },
  { kw: 'tcp-response content', sections: 'dbl', failIfNotCap: true, namedDefaultsOnly: true, protects: 'rules' },
  { kw: 'tcp-response inspect-delay', sections: 'dbl', failIfNotCap: true, namedDefaultsOnly: true },
  { kw: 'filter', sections: 'fbl', protects: 'filter' },
  { kw: 'filter-sequence', sections: 'fbl' },
  { kw: 'compression algo', sections: 'dfbl' },
  { kw: 'compression algo-req', sections: 'dfbl' },
  { kw: 'compression algo-res', sections: 'dfbl' },
  { kw: 'compression type', sections: 'dfbl' },
  { kw: 'compression type-req', sections: 'dfbl' },
  { kw: 'compression type-res', sections: 'dfbl' },
  { kw: 'compression offload', sections: 'dfbl' },
  { kw: 'compression direction', sections: 'dfbl' },
  { kw: 'compression minsize-req', sections: 'dfbl' },
  { kw: 'compression minsize-res', sections: 'dfbl' },

  // --- Captures -------------------------------------------------------------------------------
  { kw: 'capture cookie', sections: 'fl' },
  { kw: 'capture request header', sections: 'fl' },
  { kw: 'capture response header', sections: 'fl' },
  { kw: 'declare capture', sections: 'fl' },

  // --- Errors -----------------------------------------------------------------------------------
  { kw: 'errorfile', sections: 'dfbl' },
  { kw: 'errorfiles', sections: 'dfbl' },
  { kw: 'errorloc', sections: 'dfbl' },
  { kw: 'errorloc302', sections: 'dfbl' },
  { kw: 'errorloc303', sections: 'dfbl' },
  { kw: 'http-error', sections: 'dfbl' },

  // --- Logging ----------------------------------------------------------------------------------
  { kw: 'log', sections: 'dfbl', noForm: true },
  { kw: 'log-format', sections: 'dfl' },
  { kw: 'log-format-sd', sections: 'dfl' },
  { kw: 'error-log-format', sections: 'dfl' },
  { kw: 'log-tag', sections: 'dfbl' },
  { kw: 'log-steps', sections: 'dfl' },
  { kw: 'unique-id-format', sections: 'dfl' },
  { kw: 'unique-id-header', sections: 'dfl' },

  // --- Mail alerts ------------------------------------------------------------------------------
  { kw: 'email-alert from', sections: 'dfbl' },
  { kw: 'email-alert level', sections: 'dfbl' },
  { kw: 'email-alert mailers', sections: 'dfbl' },
  { kw: 'email-alert myhostname', sections: 'dfbl' },
  { kw: 'email-alert to', sections: 'dfbl' },

  // --- TCP keep-alive probes ------------------------------------------------------------------
  { kw: 'clitcpka-cnt', sections: 'dfl' },
  { kw: 'clitcpka-idle', sections: 'dfl' },
  { kw: 'clitcpka-intvl', sections: 'dfl' },
  { kw: 'srvtcpka-cnt', sections: 'dbl' },
  { kw: 'srvtcpka-idle', sections: 'dbl' },
  { kw: 'srvtcpka-intvl', sections: 'dbl' },

  // --- Timeouts -------------------------------------------------------------------------------
  { kw: 'timeout check', sections: 'dbl' },
  { kw: 'timeout client', sections: 'dfl' },
  { kw: 'timeout client-fin', sections: 'dfl' },
  { kw: 'timeout client-hs', sections: 'dfl' },
  { kw: 'timeout connect', sections: 'dbl' },
  { kw: 'timeout http-keep-alive', sections: 'dfbl' },
  { kw: 'timeout http-request', sections: 'dfbl' },
  { kw: 'timeout queue', sections: 'dbl' },
  { kw: 'timeout server', sections: 'dbl' },
  { kw: 'timeout server-fin', sections: 'dbl' },
  { kw: 'timeout tarpit', sections: 'dfbl' },
  { kw: 'timeout tunnel', sections: 'dbl' },

  // --- Health checks --------------------------------------------------------------------------
  { kw: 'http-check comment', sections: 'dbl' },
  { kw: 'http-check connect', sections: 'dbl' },
  { kw: 'http-check disable-on-404', sections: 'dbl' },
  { kw: 'http-check expect', sections: 'dbl' },
  { kw: 'http-check send', sections: 'dbl' },
  { kw: 'http-check send-state', sections: 'dbl' },
  { kw: 'http-check set-var', sections: 'dbl' },
  { kw: 'http-check set-var-fmt', sections: 'dbl' },
  { kw: 'http-check unset-var', sections: 'dbl' },
  { kw: 'tcp-check comment', sections: 'dbl' },
  { kw: 'tcp-check connect', sections: 'dbl' },
  { kw: 'tcp-check expect', sections: 'dbl' },
  { kw: 'tcp-check send', sections: 'dbl' },
  { kw: 'tcp-check send-binary', sections: 'dbl' },
  { kw: 'tcp-check send-binary-lf', sections: 'dbl' },
  { kw: 'tcp-check send-lf', sections: 'dbl' },
  { kw: 'tcp-check set-var', sections: 'dbl' },
  { kw: 'tcp-check set-var-fmt', sections: 'dbl' },
  { kw: 'tcp-check unset-var', sections: 'dbl' },
  { kw: 'external-check command', sections: 'dbl' },
  { kw: 'external-check path', sections: 'dbl' },

  // --- Statistics page ------------------------------------------------------------------------
  { kw: 'stats admin', sections: 'fbl', protects: 'access' },
  { kw: 'stats auth', sections: 'dfbl', protects: 'authentication' },
  { kw: 'stats enable', sections: 'dfbl' },
  { kw: 'stats hide-version', sections: 'dfbl' },
  { kw: 'stats http-request', sections: 'fbl', protects: 'access' },
  { kw: 'stats realm', sections: 'dfbl' },
  { kw: 'stats refresh', sections: 'dfbl' },
  { kw: 'stats scope', sections: 'dfbl', protects: 'access' },
  { kw: 'stats show-desc', sections: 'dfbl' },
  { kw: 'stats show-legends', sections: 'dfbl' },
  { kw: 'stats show-modules', sections: 'dfbl' },
  { kw: 'stats show-node', sections: 'dfbl' },
  { kw: 'stats uri', sections: 'dfbl' },

  // --- option … ---------------------------------------------------------------------------------
  { kw: 'option abortonclose', sections: 'dbl', noForm: true }, // 2.6's table; HAProxy 3.3 also reads it in frontends
  { kw: 'option accept-invalid-http-request', sections: 'dfl', noForm: true }, // renamed in 3.0
  { kw: 'option accept-invalid-http-response', sections: 'dbl', noForm: true }, // renamed in 3.0
  { kw: 'option accept-unsafe-violations-in-http-request', sections: 'dfl', noForm: true },
  { kw: 'option accept-unsafe-violations-in-http-response', sections: 'dbl', noForm: true },
  { kw: 'option allbackups', sections: 'dbl', noForm: true },
  { kw: 'option checkcache', sections: 'dbl', noForm: true },
  { kw: 'option clitcpka', sections: 'dfl', noForm: true },
  { kw: 'option contstats', sections: 'dfl', noForm: true },
  { kw: 'option disable-h2-upgrade', sections: 'dfl', noForm: true },
  { kw: 'option dontlog-normal', sections: 'dfl', noForm: true },
  { kw: 'option dontlognull', sections: 'dfl', noForm: true },
  { kw: 'option external-check', sections: 'dbl' },
  { kw: 'option forwarded', sections: 'dbl', noForm: true },
  { kw: 'option forwardfor', sections: 'dfbl' },
  { kw: 'option h1-case-adjust-bogus-client', sections: 'dfl', noForm: true },
  { kw: 'option h1-case-adjust-bogus-server', sections: 'dbl', noForm: true },
  { kw: 'option http-buffer-request', sections: 'dfbl', noForm: true },
  { kw: 'option http-drop-request-trailers', sections: 'dbl', noForm: true },
  { kw: 'option http-drop-response-trailers', sections: 'dfl', noForm: true },
  { kw: 'option http-ignore-probes', sections: 'dfl', noForm: true },
  { kw: 'option http-keep-alive', sections: 'dfbl', noForm: true },
  { kw: 'option http-no-delay', sections: 'dfbl', noForm: true },
  { kw: 'option http-pretend-keepalive', sections: 'dbl', noForm: true },
  { kw: 'option http-restrict-req-hdr-names', sections: 'dfbl', protects: 'rules' },
  { kw: 'option http-server-close', sections: 'dfbl', noForm: true },
  { kw: 'option http-use-proxy-header', sections: 'dfl', noForm: true },
  { kw: 'option httpchk', sections: 'dbl' },
  { kw: 'option httpclose', sections: 'dfbl', noForm: true },
  { kw: 'option httplog', sections: 'dfl' },
  { kw: 'option httpslog', sections: 'dfl' },
  { kw: 'option idle-close-on-response', sections: 'dfl', noForm: true },
  { kw: 'option independent-streams', sections: 'dfbl', noForm: true },
  { kw: 'option ldap-check', sections: 'dbl' },
  { kw: 'option log-health-checks', sections: 'dbl', noForm: true },
  { kw: 'option log-separate-errors', sections: 'dfl', noForm: true },
  { kw: 'option logasap', sections: 'dfl', noForm: true },
  { kw: 'option mysql-check', sections: 'dbl' },
  { kw: 'option nolinger', sections: 'dfbl', noForm: true },
  { kw: 'option originalto', sections: 'dfbl' },
  { kw: 'option persist', sections: 'dbl', noForm: true },
  { kw: 'option pgsql-check', sections: 'dbl' },
  { kw: 'option prefer-last-server', sections: 'dbl', noForm: true },
  { kw: 'option redis-check', sections: 'dbl' },
  { kw: 'option redispatch', sections: 'dbl', noForm: true },
  { kw: 'option smtpchk', sections: 'dbl' },
  { kw: 'option socket-stats', sections: 'dfl', noForm: true },
  { kw: 'option splice-auto', sections: 'dfbl', noForm: true },
  { kw: 'option splice-request', sections: 'dfbl', noForm: true },
  { kw: 'option splice-response', sections: 'dfbl', noForm: true },
  { kw: 'option spop-check', sections: 'dbl' },
  { kw: 'option srvtcpka', sections: 'dbl', noForm: true },
  { kw: 'option ssl-hello-chk', sections: 'dbl' },
  { kw: 'option tcp-check', sections: 'dbl' },
  { kw: 'option tcp-smart-accept', sections: 'dfl', noForm: true },
  { kw: 'option tcp-smart-connect', sections: 'dbl', noForm: true },
  { kw: 'option tcpka', sections: 'dfbl' },
  { kw: 'option tcplog', sections: 'dfl' }, // ignored in a backend, with a warning, like httplog
  { kw: 'option transparent', sections: 'dbl', noForm: true },
]
