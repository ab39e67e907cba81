/**
 * Keywords HAProxy 1.x accepted that the 2.x/3.x series removed or renamed, with the modern
 * form to write instead. HAProxy 2.6+ rejects most of these with its own "removed" message;
 * edgelb must still load configurations written for older releases, so the builder recognises
 * them, says what replaces them, and (where it can) translates them itself — `monitor-net`
 * is implemented by edgelb directly.
 *
 * Those that edgelb still reads itself (the 1.x timeouts, `redispatch`, `monitor-net`, the header
 * filters `reqadd`…`rspideny` and `block`, `option forceclose`; config/keywords/legacy.ts) carry
 * the sections 1.x allowed them in: config/build.ts places them by these, as it places every
 * live keyword by proxy.ts. `option http_proxy` is read only to be refused with its reason.
 *
 * A few entries also appear in the live tables (proxy.ts, global.ts) because the 2.6–2.8
 * series still knew them (`option accept-invalid-http-request`, `nbproc`'s error path):
 * config/build.ts consults the live tables first.
 */
import type { LegacyKeyword } from './types.ts'

export const legacyKeywords: readonly LegacyKeyword[] = [
  // --- 1.x timeouts (removed in 2.1; HAProxy 2.x still names them in its error) -------------
  { kw: 'contimeout', replacement: 'timeout connect', sections: 'dbl' },
  { kw: 'clitimeout', replacement: 'timeout client', sections: 'dfl' },
  { kw: 'srvtimeout', replacement: 'timeout server', sections: 'dbl' },
  { kw: 'timeout appsession', replacement: 'stick-table expire' },

  // --- Persistence and dispatch ---------------------------------------------------------------
  { kw: 'redispatch', replacement: 'option redispatch', sections: 'dbl' },
  { kw: 'redisp', replacement: 'option redispatch' },
  { kw: 'appsession', replacement: 'stick-table + stick on (e.g. stick on req.cook(NAME))' },
  { kw: 'monitor-net', replacement: 'tcp-request connection reject if { src NET }', sections: 'dfl' },
  { kw: 'block', replacement: 'http-request deny', sections: 'fbl' },

  // --- Regex request filters (removed in 2.1) -------------------------------------------------
  { kw: 'reqadd', replacement: 'http-request add-header', sections: 'fbl' },
  { kw: 'reqallow', replacement: 'http-request allow', sections: 'fbl' },
  { kw: 'reqiallow', replacement: 'http-request allow', sections: 'fbl' },
  { kw: 'reqdel', replacement: 'http-request del-header', sections: 'fbl' },
  { kw: 'reqidel', replacement: 'http-request del-header', sections: 'fbl' },
  { kw: 'reqdeny', replacement: 'http-request deny', sections: 'fbl' },
  { kw: 'reqideny', replacement: 'http-request deny', sections: 'fbl' },
  { kw: 'reqpass', replacement: 'an http-request rule with an ACL condition', sections: 'fbl' },
  { kw: 'reqipass', replacement: 'an http-request rule with an ACL condition', sections: 'fbl' },
  { kw: 'reqrep', replacement: 'http-request replace-header / replace-uri / replace-path', sections: 'fbl' },
  { kw: 'reqirep', replacement: 'http-request replace-header / replace-uri / replace-path', sections: 'fbl' },
  { kw: 'reqtarpit', replacement: 'http-request tarpit', sections: 'fbl' },
  { kw: 'reqitarpit', replacement: 'http-request tarpit', sections: 'fbl' },
  { kw: 'reqsetbe', replacement: 'use_backend' },
  { kw: 'reqisetbe', replacement: 'use_backend' },

  // --- Regex response filters (removed in 2.1) ------------------------------------------------
  { kw: 'rspadd', replacement: 'http-response add-header', sections: 'fbl' },
  { kw: 'rspdel', replacement: 'http-response del-header', sections: 'fbl' },
  { kw: 'rspidel', replacement: 'http-response del-header', sections: 'fbl' },
  { kw: 'rspdeny', replacement: 'http-response deny', sections: 'fbl' },
  { kw: 'rspideny', replacement: 'http-response deny', sections: 'fbl' },
  { kw: 'rsprep', replacement: 'http-response replace-header / replace-value', sections: 'fbl' },
  { kw: 'rspirep', replacement: 'http-response replace-header / replace-value', sections: 'fbl' },

  // --- Options removed or renamed -------------------------------------------------------------
  { kw: 'option forceclose', replacement: 'option httpclose', sections: 'dfbl', noForm: true },
  { kw: 'option http-tunnel', replacement: 'option http-keep-alive' },
  { kw: 'option http-use-htx', replacement: 'nothing: HTX is always used' },
  { kw: 'option http_proxy', replacement: 'http-request set-dst url_ip, set-dst-port url_port and a server at 0.0.0.0:0', sections: 'dfbl', noForm: true },
  { kw: 'option independant-streams', replacement: 'option independent-streams' },
  { kw: 'option tcpsplice', replacement: 'option splice-auto' },
  {
    kw: 'option accept-invalid-http-request',
    replacement: 'option accept-unsafe-violations-in-http-request',
  },
  {
    kw: 'option accept-invalid-http-response',
    replacement: 'option accept-unsafe-violations-in-http-response',
  },

  // --- Multi-process mode (removed in 2.5) ----------------------------------------------------
  { kw: 'nbproc', replacement: 'nbthread' },
  { kw: 'bind-process', replacement: "the 'thread' bind option" },
  { kw: 'stats bind-process', replacement: "the 'thread' option on 'stats socket'" },

  // --- Other ----------------------------------------------------------------------------------
  { kw: 'grace', replacement: "the global 'grace' keyword" },
  { kw: 'debug', replacement: "the command line's -d" },
]
