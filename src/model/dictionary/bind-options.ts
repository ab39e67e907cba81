/**
 * Every keyword HAProxy accepts on a `bind` line (and `default-bind`), with the number of
 * argument words that follow it, mirroring HAProxy 2.6+'s bind keyword set (up to the 3.x
 * series): socket options, UNIX-socket permissions, CLI-socket options (`level`,
 * `expose-fd`), QUIC and TLS options with every `no-` form.
 */
import { protecting } from './protection.ts'
import type { KnownOption } from './types.ts'

export const bindOptions: readonly KnownOption[] = [
  // --- Listener identity and limits -----------------------------------------------------------
  { kw: 'name', args: 1 },
  { kw: 'id', args: 1 },
  { kw: 'label', args: 1 },
  { kw: 'guid-prefix', args: 1 },
  { kw: 'backlog', args: 1 },
  { kw: 'maxconn', args: 1 },
  { kw: 'nbconn', args: 1 },
  { kw: 'nice', args: 1 },
  { kw: 'process', args: 1 },
  { kw: 'thread', args: 1 },
  { kw: 'shards', args: 1 },
  { kw: 'proto', args: 1 },

  // --- Accepting connections ------------------------------------------------------------------
  ...protecting('proxy-protocol', [
    { kw: 'accept-proxy', args: 0 },
    { kw: 'accept-netscaler-cip', args: 1 },
  ]),
  { kw: 'defer-accept', args: 0 },
  { kw: 'tfo', args: 0 },
  { kw: 'transparent', args: 0 },
  { kw: 'v4v6', args: 0 },
  ...protecting('access', [
    { kw: 'v6only', args: 0 },
    { kw: 'interface', args: 1 },
    { kw: 'namespace', args: 1 },
  ]),
  { kw: 'mss', args: 1 },
  { kw: 'tcp-ut', args: 1 },
  { kw: 'tcp-md5sig', args: 1, protects: 'authentication' },
  { kw: 'tcp-ss', args: 1 },
  { kw: 'cc', args: 1 },
  { kw: 'idle-ping', args: 1 },

  // --- UNIX socket ownership and permissions --------------------------------------------------
  ...protecting('access', [
    { kw: 'mode', args: 1 },
    { kw: 'uid', args: 1 },
    { kw: 'gid', args: 1 },
    { kw: 'user', args: 1 },
    { kw: 'group', args: 1 },
  ]),

  // --- CLI sockets (stats socket) ---------------------------------------------------------------
  { kw: 'level', args: 1 },
  { kw: 'severity-output', args: 1 },
  { kw: 'expose-fd', args: 1 }, // 'expose-fd listeners'

  // --- QUIC -------------------------------------------------------------------------------------
  { kw: 'quic-cc-algo', args: 1 },
  { kw: 'quic-force-retry', args: 0 },
  { kw: 'quic-socket', args: 1 },

  // --- TLS --------------------------------------------------------------------------------------
  ...protecting('tls', [
    { kw: 'ssl', args: 0 },
    { kw: 'crt', args: 1 },
    { kw: 'crt-list', args: 1 },
    { kw: 'default-crt', args: 1 },
    { kw: 'crt-ignore-err', args: 1 },
    { kw: 'ca-file', args: 1 },
    { kw: 'ca-verify-file', args: 1 },
    { kw: 'ca-ignore-err', args: 1 },
    { kw: 'ca-sign-file', args: 1 },
    { kw: 'ca-sign-pass', args: 1 },
    { kw: 'crl-file', args: 1 },
    { kw: 'verify', args: 1 },
    { kw: 'alpn', args: 1 },
    { kw: 'no-alpn', args: 0 },
    { kw: 'npn', args: 1 },
    { kw: 'ciphers', args: 1 },
    { kw: 'ciphersuites', args: 1 },
    { kw: 'curves', args: 1 },
    { kw: 'ecdhe', args: 1 },
    { kw: 'sigalgs', args: 1 },
    { kw: 'client-sigalgs', args: 1 },
    { kw: 'ssl-min-ver', args: 1 },
    { kw: 'ssl-max-ver', args: 1 },
    { kw: 'strict-sni', args: 0 },
    { kw: 'no-strict-sni', args: 0 },
    { kw: 'prefer-client-ciphers', args: 0 },
    { kw: 'no-ca-names', args: 0 },
    { kw: 'allow-0rtt', args: 0 },
    { kw: 'generate-certificates', args: 0 },
    { kw: 'tls-ticket-keys', args: 1 },
    { kw: 'tls-tickets', args: 0 },
    { kw: 'no-tls-tickets', args: 0 },
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
