/**
 * The keywords of HAProxy's sections other than global and the proxies, mirroring HAProxy
 * 2.6+'s keyword set (up to the 3.x series). Multi-word keywords are phrases
 * (`timeout resolve`, `option start-on-reload`); `noForm` marks those that accept `no`.
 * `sections` is not used in these tables: each table is one section.
 */
import type { KnownKeyword, Protection } from './types.ts'

/** `peers <name>`: stick-table replication between instances. */
export const peersKeywords: readonly KnownKeyword[] = [
  { kw: 'peer' },
  { kw: 'server' },
  { kw: 'bind' },
  { kw: 'default-bind' },
  { kw: 'default-server' },
  { kw: 'table' },
  { kw: 'shards' },
  { kw: 'log' },
  { kw: 'disabled' },
  { kw: 'enable' },
]

/** `userlist <name>`: users and groups for `http_auth` and the stats page. */
export const userlistKeywords: readonly KnownKeyword[] = [{ kw: 'user' }, { kw: 'group' }]

/** The sections that protect (see protection.ts): one edgelb does not implement refuses the
 *  config, as a keyword that protects does. */
export const sectionProtects: Readonly<Record<string, Protection>> = { userlist: 'authentication' }

/** `resolvers <name>`: DNS resolution for servers. */
export const resolversKeywords: readonly KnownKeyword[] = [
  { kw: 'nameserver' },
  { kw: 'parse-resolv-conf' },
  { kw: 'accepted_payload_size' },
  { kw: 'hold' },
  { kw: 'resolve_retries' },
  { kw: 'resolution_pool_size' }, // obsolete since 1.8, still accepted with a warning
  { kw: 'timeout resolve' },
  { kw: 'timeout retry' },
]

/** `mailers <name>`: SMTP relays for `email-alert`. */
export const mailersKeywords: readonly KnownKeyword[] = [{ kw: 'mailer' }, { kw: 'timeout mail' }]

/** `cache <name>`: the small HTTP object cache. */
export const cacheKeywords: readonly KnownKeyword[] = [
  { kw: 'total-max-size' },
  { kw: 'max-object-size' },
  { kw: 'max-age' },
  { kw: 'process-vary' },
  { kw: 'max-secondary-entries' },
]

/** `program <name>`: external processes run by the master. */
export const programKeywords: readonly KnownKeyword[] = [
  { kw: 'command' },
  { kw: 'user' },
  { kw: 'group' },
  { kw: 'option start-on-reload', noForm: true },
]

/** `http-errors <name>`: named sets of error pages for `errorfiles` / `http-error`. */
export const httpErrorsKeywords: readonly KnownKeyword[] = [{ kw: 'errorfile' }]

/** `ring <name>`: in-memory event rings, optionally forwarded to log servers. */
export const ringKeywords: readonly KnownKeyword[] = [
  { kw: 'description' },
  { kw: 'format' },
  { kw: 'maxlen' },
  { kw: 'size' },
  { kw: 'backing-file' },
  { kw: 'server' },
  { kw: 'timeout connect' },
  { kw: 'timeout server' },
]

/** `log-forward <name>`: a syslog relay. */
export const logForwardKeywords: readonly KnownKeyword[] = [
  { kw: 'bind' },
  { kw: 'dgram-bind' },
  { kw: 'log' },
  { kw: 'maxconn' },
  { kw: 'backlog' },
  { kw: 'timeout client' },
  { kw: 'option assume-rfc6587-ntf', noForm: true },
  { kw: 'option dont-parse-log', noForm: true },
  { kw: 'option host' },
]

/** `fcgi-app <name>`: a FastCGI application for `use-fcgi-app`. */
export const fcgiAppKeywords: readonly KnownKeyword[] = [
  { kw: 'acl' },
  { kw: 'docroot' },
  { kw: 'index' },
  { kw: 'path-info' },
  { kw: 'set-param' },
  { kw: 'pass-header' },
  { kw: 'log-stderr' },
  { kw: 'max-reqs' },
  { kw: 'option get-values', noForm: true },
  { kw: 'option keep-conn', noForm: true },
  { kw: 'option mpxs-conns', noForm: true },
]

/** `crt-store <name>` (3.0+): certificates loaded once and referenced by name. */
export const crtStoreKeywords: readonly KnownKeyword[] = [
  { kw: 'crt-base' },
  { kw: 'key-base' },
  { kw: 'load' },
]

/** `traces` (3.1+): the trace subsystem's configuration. */
export const tracesKeywords: readonly KnownKeyword[] = [{ kw: 'trace' }]

/** `log-profile <name>` (3.1+): per-step log formats. */
export const logProfileKeywords: readonly KnownKeyword[] = [{ kw: 'log-tag' }, { kw: 'on' }]

/** `acme <name>` (3.2+): certificate issuance with ACME. */
export const acmeKeywords: readonly KnownKeyword[] = [
  { kw: 'account-key' },
  { kw: 'acme-vars' },
  { kw: 'bits' },
  { kw: 'challenge' },
  { kw: 'challenge-ready' },
  { kw: 'contact' },
  { kw: 'curves' },
  { kw: 'directory' },
  { kw: 'dns-delay' },
  { kw: 'dns-timeout' },
  { kw: 'eab-key-id' },
  { kw: 'eab-mac-alg' },
  { kw: 'eab-mac-key' },
  { kw: 'keytype' },
  { kw: 'map' },
  { kw: 'profile' },
  { kw: 'provider-name' },
  { kw: 'reuse-key' },
]
