/**
 * Every keyword HAProxy accepts on `server`, `default-server` and `server-template` lines,
 * with the number of argument words that follow it, mirroring HAProxy 2.6+'s server keyword
 * set (up to the 3.x series), every `no-` form included.
 *
 * Arity exceptions the reader must handle itself:
 *  - `source` takes one address, then optionally `usesrc <addr|client|clientip|hdr_ip(…)>`
 *    and `interface <name>` pairs; HAProxy parses them as part of `source` (`usesrc` alone
 *    is only listed so that a stray one is reported precisely).
 *  - `set-proxy-v2-tlv-fmt(<id>) <fmt>` carries its TLV id in parentheses on the keyword
 *    itself; look it up by the part before '('.
 */
import { protecting } from './protection.ts'
import type { KnownOption } from './types.ts'

export const serverOptions: readonly KnownOption[] = [
  // --- State, weight and queueing -------------------------------------------------------------
  { kw: 'backup', args: 0 },
  { kw: 'no-backup', args: 0 },
  { kw: 'disabled', args: 0 },
  { kw: 'enabled', args: 0 },
  { kw: 'init-state', args: 1 },
  { kw: 'weight', args: 1 },
  { kw: 'maxconn', args: 1 },
  { kw: 'minconn', args: 1 },
  { kw: 'maxqueue', args: 1 },
  { kw: 'strict-maxconn', args: 0 },
  { kw: 'slowstart', args: 1 },
  { kw: 'track', args: 1 },
  { kw: 'id', args: 1, serverOnly: true },
  { kw: 'guid', args: 1, serverOnly: true },
  { kw: 'hash-key', args: 1 },
  { kw: 'shard', args: 1 },
  { kw: 'redir', args: 1 },

  // --- Persistence ------------------------------------------------------------------------------
  { kw: 'cookie', args: 1 },
  { kw: 'stick', args: 0 },
  { kw: 'non-stick', args: 0 },

  // --- Health checks ----------------------------------------------------------------------------
  { kw: 'check', args: 0 },
  { kw: 'no-check', args: 0 },
  { kw: 'healthcheck', args: 1 },
  { kw: 'inter', args: 1 },
  { kw: 'fastinter', args: 1 },
  { kw: 'downinter', args: 1 },
  { kw: 'rise', args: 1 },
  { kw: 'fall', args: 1 },
  { kw: 'port', args: 1 },
  { kw: 'addr', args: 1 },
  { kw: 'check-alpn', args: 1, protects: 'tls' },
  { kw: 'check-proto', args: 1 },
  { kw: 'check-sni', args: 1, protects: 'tls' },
  { kw: 'check-sni-auto', args: 0, protects: 'tls' },
  { kw: 'no-check-sni-auto', args: 0 },
  { kw: 'check-ssl', args: 0, protects: 'tls' },
  { kw: 'no-check-ssl', args: 0 },
  { kw: 'check-send-proxy', args: 0, protects: 'proxy-protocol' },
  { kw: 'no-check-send-proxy', args: 0 },
  { kw: 'check-via-socks4', args: 0 },
  { kw: 'check-reuse-pool', args: 0 },
  { kw: 'no-check-reuse-pool', args: 0 },
  { kw: 'check-pool-conn-name', args: 1 },
  { kw: 'agent-check', args: 0 },
  { kw: 'no-agent-check', args: 0 },
  { kw: 'agent-addr', args: 1 },
  { kw: 'agent-inter', args: 1 },
  { kw: 'agent-port', args: 1 },
  { kw: 'agent-send', args: 1 },
  { kw: 'observe', args: 1 },
  { kw: 'error-limit', args: 1 },
  { kw: 'on-error', args: 1 },
  { kw: 'on-marked-down', args: 1 },
  { kw: 'on-marked-up', args: 1 },

  // --- Connection to the server -------------------------------------------------------------------
  { kw: 'source', args: 1 }, // + optional 'usesrc <x>' and 'interface <name>' (see header)
  { kw: 'usesrc', args: 1 },
  { kw: 'namespace', args: 1 },
  { kw: 'proto', args: 1 },
  { kw: 'ws', args: 1 },
  { kw: 'tfo', args: 0 },
  { kw: 'no-tfo', args: 0 },
  { kw: 'tcp-ut', args: 1 },
  { kw: 'tcp-md5sig', args: 1, protects: 'authentication' },
  { kw: 'cc', args: 1 },
  { kw: 'idle-ping', args: 1 },
  { kw: 'socks4', args: 1 },
  { kw: 'send-proxy', args: 0, protects: 'proxy-protocol' },
  { kw: 'no-send-proxy', args: 0 },
  { kw: 'send-proxy-v2', args: 0, protects: 'proxy-protocol' },
  { kw: 'no-send-proxy-v2', args: 0 },
  { kw: 'send-proxy-v2-ssl', args: 0, protects: 'proxy-protocol' },
  { kw: 'no-send-proxy-v2-ssl', args: 0 },
  { kw: 'send-proxy-v2-ssl-cn', args: 0, protects: 'proxy-protocol' },
  { kw: 'no-send-proxy-v2-ssl-cn', args: 0 },
  { kw: 'proxy-v2-options', args: 1, protects: 'proxy-protocol' },
  { kw: 'set-proxy-v2-tlv-fmt', args: 1, protects: 'proxy-protocol' }, // written set-proxy-v2-tlv-fmt(<id>) <fmt>

  // --- Connection reuse (idle pools) ------------------------------------------------------------
  { kw: 'max-reuse', args: 1 },
  { kw: 'pool-conn-name', args: 1 },
  { kw: 'pool-low-conn', args: 1 },
  { kw: 'pool-max-conn', args: 1 },
  { kw: 'pool-purge-delay', args: 1 },

  // --- Name resolution --------------------------------------------------------------------------
  { kw: 'init-addr', args: 1 },
  { kw: 'resolvers', args: 1 },
  { kw: 'resolve-net', args: 1 },
  { kw: 'resolve-opts', args: 1 },
  { kw: 'resolve-prefer', args: 1 },

  // --- Log servers (ring / log-forward sections) ------------------------------------------------
  { kw: 'log-proto', args: 1 },
  { kw: 'log-bufsize', args: 1 },

  // --- TLS --------------------------------------------------------------------------------------
  // Turning TLS off where edgelb has none yet changes nothing: not a protection.
  { kw: 'no-ssl', args: 0 },
  ...protecting('tls', [
    { kw: 'ssl', args: 0 },
    { kw: 'verify', args: 1 },
    { kw: 'verifyhost', args: 1 },
    { kw: 'ca-file', args: 1 },
    { kw: 'crl-file', args: 1 },
    { kw: 'crt', args: 1 },
    { kw: 'sni', args: 1 },
    { kw: 'sni-auto', args: 0 },
    { kw: 'no-sni-auto', args: 0 },
    { kw: 'alpn', args: 1 },
    { kw: 'npn', args: 1 },
    { kw: 'ciphers', args: 1 },
    { kw: 'ciphersuites', args: 1 },
    { kw: 'curves', args: 1 },
    { kw: 'sigalgs', args: 1 },
    { kw: 'client-sigalgs', args: 1 },
    { kw: 'ssl-min-ver', args: 1 },
    { kw: 'ssl-max-ver', args: 1 },
    { kw: 'ssl-reuse', args: 0 },
    { kw: 'no-ssl-reuse', args: 0 },
    { kw: 'tls-tickets', args: 0 },
    { kw: 'no-tls-tickets', args: 0 },
    { kw: 'allow-0rtt', args: 0 },
    { kw: 'renegotiate', args: 0 },
    { kw: 'no-renegotiate', args: 0 },
    { kw: 'ktls', args: 1 },
    { kw: 'force-sslv3', args: 0 },
    { kw: 'force-tlsv10', args: 0 },
    { kw: 'force-tlsv11', args: 0 },
    { kw: 'force-tlsv12', args: 0 },
    { kw: 'force-tlsv13', args: 0 },
    { kw: 'no-sslv3', args: 0 },
    { kw: 'no-tlsv10', args: 0 },
    { kw: 'no-tlsv11', args: 0 },
    { kw: 'no-tlsv12', args: 0 },
    { kw: 'no-tlsv13', args: 0 },
  ]),
]
