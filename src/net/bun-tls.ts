/**
 * TLS under Bun: listeners and connections of `Bun.listen`/`Bun.connect` with `tls`, TLS being
 * done natively (BoringSSL) on the same sockets as clear text: the data handler gets decrypted
 * Buffers, `write()` takes clear bytes, with the same backpressure contract (net/types.ts).
 *
 * Chosen over node:tls by measure (bench/tls-runtime.ts, bench/README.md): a third less CPU per
 * full handshake and per byte. Facts this relies on (Bun 1.4.5, checked by the tests beside it):
 * - SNI: a socket handler `serverName(listenerData, name)` returning a context made by
 *   node:tls `createSecureContext(…).context` (or undefined: the default, or an Error: refuse
 *   the handshake). It is what Bun's node:tls SNICallback runs on; `Bun.listen` takes one `tls`
 *   object, no array.
 * - With a `handshake` handler, `open` comes at the accept and `handshake(s, ok, error)` once
 *   the handshake ends; data comes after it. `ok` is false for a failed handshake, and (on
 *   connections) also when the name did not match, the connection going on: edgelb checks names
 *   itself. A client certificate that fails verification does not fail the handshake, even with
 *   `rejectUnauthorized`: edgelb checks `authorized` itself.
 * - `ALPNProtocols` must be wire format (length-prefixed): a comma string negotiates nothing.
 *   A client offering none of the listener's protocols is refused (no_application_protocol),
 *   where OpenSSL servers (HAProxy) go on without ALPN.
 * - A connection sends SNI = its host (an IP too) unless `serverName` is '' (none).
 * - No server-side session cache: without tickets (SSL_OP_NO_TICKET) nothing resumes.
 * - `getSession()` on a connection returns the session once data was read (TLS 1.3 tickets come
 *   after the handshake), undefined in `close`.
 * TLS started on a clear socket (after a PROXY header: `startTls`, `ConnectTarget.preface`):
 * - `socket.upgradeTLS({ data, tls, socket, initialData })` returns `[raw, tls]`, two new objects
 *   over the one connection. On a socket a plain `Bun.listen` accepted it is the TLS server (no
 *   option needed), with the same handlers as a TLS listener's: `serverName` picks the context
 *   by SNI, `handshake` ends it; on a `Bun.connect` socket it is the client. `open` of the TLS
 *   side comes before `upgradeTLS` returns; so may a failed `handshake` and both `close`s (bytes
 *   in `initialData` that are not TLS).
 * - `initialData`: bytes already read, handed to TLS before the socket's next ones (a ClientHello
 *   that came in the PROXY header's segment).
 * - `tls.secureContext` (a context made by `createSecureContext`): versions, ciphers, tickets and
 *   CAs from it, one SSL_CTX for every upgrade; `requestCert`, `rejectUnauthorized`,
 *   `ALPNProtocols` and `serverName` beside it apply per connection.
 * - The raw half keeps the clear socket's handlers and `data`: Bun reports every ciphertext read
 *   and the close to them too (ignored: `DETACHED`); swapping them with `reload()` hung the
 *   connection when tried.
 */
import { ipFamily } from '../core/ip.ts'
import type * as Tls from 'node:tls'
import { now } from '../core/clock.ts'
import { Timer } from '../core/timer-wheel.ts'
import { wheel } from '../core/wheel.ts'
import type { SslVersion } from '../model/tls.ts'
import type { Sock, SockHandlers, TlsConnect, TlsContext, TlsContextSpec, TlsFacts, TlsListen } from './types.ts'
import { verifyCode } from './tls/verify-codes.ts'


let tlsModule: typeof Tls | undefined

/** node:tls, loaded when the first TLS context is made: a process without TLS never holds it
 *  (several MB at rest). */
function nodeTls(): typeof Tls {
  return (tlsModule ??= process.getBuiltinModule('node:tls') as typeof Tls)
}

/** TLS's wire numbers of the versions. */
const VERSION_NUMBER: Readonly<Record<SslVersion, number>> = { SSLv3: 0x0300, 'TLSv1.0': 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 }
/** node:tls's names of the versions. */
const VERSION_NAME: Readonly<Record<SslVersion, string>> = { SSLv3: 'SSLv3', 'TLSv1.0': 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' }
const SSL_OP_NO_TICKET = 0x4000
const SSL_OP_CIPHER_SERVER_PREFERENCE = 0x400000

/** The socket as this module reads it (Bun's TLS socket methods). */
interface BunTlsSock {
  data: unknown
  authorized: boolean
  alpnProtocol: string | false | null
  getServername(): string | undefined
  getTLSVersion(): string | null
  getCipher(): { name: string } | null
  isSessionReused(): boolean
  getPeerX509Certificate(): import('node:crypto').X509Certificate | undefined
  getAuthorizationError(): (Error & { code?: string }) | null
  getSession(): Buffer | undefined
  setSession(session: Buffer): void
  terminate(): void
}

class BunTlsContext implements TlsContext {
  constructor(readonly spec: TlsContextSpec, readonly native: unknown) {}
}

function secureOptions(spec: TlsContextSpec): number {
  return (spec.tickets ? 0 : SSL_OP_NO_TICKET) | (spec.preferClientCiphers ? 0 : SSL_OP_CIPHER_SERVER_PREFERENCE)
}

/** Makes the runtime's context of `spec`; the TLS library's reason when it refuses. */
export function tlsContext(spec: TlsContextSpec): TlsContext {
  const o: Tls.SecureContextOptions = {
    minVersion: VERSION_NAME[spec.minVersion] as Tls.SecureVersion,
    maxVersion: VERSION_NAME[spec.maxVersion] as Tls.SecureVersion,
    secureOptions: secureOptions(spec),
    honorCipherOrder: !spec.preferClientCiphers,
  }
  if (spec.cert !== undefined) o.cert = spec.cert
  if (spec.key !== undefined) o.key = spec.key
  if (spec.ca !== undefined) o.ca = spec.ca
  if (spec.crl !== undefined) o.crl = spec.crl
  if (spec.ciphers !== undefined) o.ciphers = spec.ciphers
  if (spec.curves !== undefined) o.ecdhCurve = spec.curves
  if (spec.sigalgs !== undefined) o.sigalgs = spec.sigalgs
  return new BunTlsContext(spec, nodeTls().createSecureContext(o).context)
}

/** `Bun.listen`'s `tls` object for a listener's default context. */
export function listenTlsOptions(t: TlsListen): Record<string, unknown> {
  const spec = t.default.spec
  const o: Record<string, unknown> = {
    minVersion: VERSION_NUMBER[spec.minVersion],
    maxVersion: VERSION_NUMBER[spec.maxVersion],
    secureOptions: secureOptions(spec),
    requestCert: t.verify !== 'none',
    // Bun refuses a missing certificate with an alert; edgelb checks the rest (see the header).
    rejectUnauthorized: t.verify === 'required' && !t.ignoreVerifyErrors,
  }
  for (const k of ['cert', 'key', 'ca', 'crl', 'ciphers', 'sigalgs'] as const) if (spec[k] !== undefined) o[k] = spec[k]
  if (spec.curves !== undefined) o['ecdhCurve'] = spec.curves
  if (t.alpn.length > 0) o['ALPNProtocols'] = alpnWire(t.alpn)
  return o
}

/** ALPN's wire format: each protocol prefixed by its length. */
export function alpnWire(protocols: readonly string[]): Buffer {
  return Buffer.concat(protocols.map((p) => { const b = Buffer.from(p, 'latin1'); return Buffer.concat([Buffer.of(b.length), b]) }))
}

// --- listeners ------------------------------------------------------------------------------------

/** A socket's `data` while its handshake runs: what times it out, and the `data` its handlers
 *  gave it (a socket whose TLS started later, `startTls`; undefined on a TLS listener). */
export class Handshaking {
  timer: Timer | null = null
  /** `deadline`: monotonic ms (Infinity: none). */
  constructor(readonly data: unknown, readonly deadline: number) {}

  /** Starts the deadline of `s`'s handshake (at its `open`). */
  arm(s: BunTlsSock, onTimeout: (s: BunTlsSock) => void): void {
    if (this.deadline === Infinity) return
    this.timer = new Timer(() => onTimeout(s))
    wheel.schedule(this.timer, this.deadline)
  }
}

/** `data` of a socket whose handshake failed: its later events are ignored. */
const FAILED = Object.freeze({ failed: true })
/** `data` every socket of a TLS listener starts with (the listener's own `data`). */
export const HANDSHAKE = Object.freeze({ handshake: true })

const refuseName = new Error('no certificate for the server name the client sent (strict-sni)')

const closedInHandshake = (): Error => new Error('connection closed during the TLS handshake')

/** Bun's handler table of a TLS listener: our handlers behind the handshake. One per listener,
 *  and one per listener's handlers and settings for the sockets whose TLS starts later
 *  (`startTlsHandlers`): their `data` is a Handshaking from the start. */
export function tlsListenHandlers<T>(h: SockHandlers<T>, t: TlsListen): Record<string, unknown> {
  /** `close`: the runtime is not closing it already. */
  const fail = (s: BunTlsSock, e: Error, close: boolean): void => {
    const d = s.data
    if (d === FAILED) return
    if (d instanceof Handshaking && d.timer !== null) wheel.cancel(d.timer)
    // handshakeError sees the data the socket was given; nothing comes after it.
    s.data = d instanceof Handshaking ? d.data : undefined
    h.handshakeError?.(s as unknown as Sock<T>, e)
    s.data = FAILED
    if (close) s.terminate()
  }
  const onTimeout = (s: BunTlsSock): void => fail(s, new Error('TLS handshake timeout'), true)
  const select = t.select
  return {
    binaryType: 'buffer',
    ...(select === undefined ? {} : {
      serverName(_listener: unknown, name: string): unknown {
        const c = select(name)
        return c === undefined ? undefined : c === null ? refuseName : (c as BunTlsContext).native
      },
    }),
    open(s: BunTlsSock) {
      const d = s.data
      if (d instanceof Handshaking) { d.arm(s, onTimeout); return }
      if (t.handshakeTimeout === Infinity) return
      const p = new Handshaking(undefined, now() + t.handshakeTimeout)
      s.data = p
      p.arm(s, onTimeout)
    },
    handshake(s: BunTlsSock, ok: boolean, error: Error | null) {
      const d = s.data
      if (d === FAILED) return
      // Closed here: Bun sent its alert and FIN, but (allowHalfOpen) would keep the socket until
      // the client closes its side, which a client that sent anything but TLS may never do.
      if (!ok) { fail(s, error ?? new Error('TLS handshake failure'), true); return }
      if (t.requireSni && !s.getServername()) { fail(s, new Error('the client sent no server name (strict-sni)'), true); return }
      if (t.verify !== 'none') {
        let refused: Error | undefined
        try { refused = clientCertRefusal(s, t) } catch (e) { refused = e as Error } // fail closed
        if (refused) { fail(s, refused, true); return }
      }
      if (d instanceof Handshaking) {
        if (d.timer !== null) wheel.cancel(d.timer)
        s.data = d.data
      } else {
        s.data = undefined
      }
      h.open?.(s as unknown as Sock<T>)
    },
    data: h.data,
    drain: h.drain,
    end(s: BunTlsSock) {
      const d = s.data
      if (d === FAILED) return
      // The peer's FIN before the handshake ended: it can no longer end.
      if (d === HANDSHAKE || d instanceof Handshaking) { fail(s, closedInHandshake(), true); return }
      h.end(s as unknown as Sock<T>)
    },
    close(s: BunTlsSock, error?: Error) {
      const d = s.data
      if (d === FAILED) return
      if (d === HANDSHAKE || d instanceof Handshaking) { fail(s, error ?? closedInHandshake(), false); return }
      h.close(s as unknown as Sock<T>, error)
    },
    error: h.error,
  }
}

/** The tables of sockets whose TLS starts later, by settings and handlers. */
const startTables = new WeakMap<TlsListen, WeakMap<object, Record<string, unknown>>>()

/** Bun's handler table for sockets that start TLS with `t` and report to `h` (made once). */
export function startTlsHandlers<T>(h: SockHandlers<T>, t: TlsListen): Record<string, unknown> {
  let byHandlers = startTables.get(t)
  if (byHandlers === undefined) startTables.set(t, (byHandlers = new WeakMap()))
  let table = byHandlers.get(h)
  if (table === undefined) byHandlers.set(h, (table = tlsListenHandlers(h, t)))
  return table
}

const startOptions = new WeakMap<TlsListen, Record<string, unknown>>()

/** `upgradeTLS`'s `tls` object for the server side of `t`: its default context as made at load
 *  (versions, ciphers, tickets, CAs: one context shared by every upgrade, not one per
 *  connection) and what a context does not hold. */
export function startTlsOptions(t: TlsListen): Record<string, unknown> {
  let o = startOptions.get(t)
  if (o !== undefined) return o
  o = {
    secureContext: (t.default as BunTlsContext).native,
    requestCert: t.verify !== 'none',
    rejectUnauthorized: t.verify === 'required' && !t.ignoreVerifyErrors,
  }
  if (t.alpn.length > 0) o['ALPNProtocols'] = alpnWire(t.alpn)
  startOptions.set(t, o)
  return o
}

/** Why a client's certificate is refused, or undefined when it passes `verify`. */
function clientCertRefusal(s: BunTlsSock, t: TlsListen): Error | undefined {
  if (s.getPeerX509Certificate() === undefined) return t.verify === 'required' ? new Error('no client certificate (verify required)') : undefined
  if (s.authorized || t.ignoreVerifyErrors) return undefined
  const e = s.getAuthorizationError()
  return new Error(`client certificate refused: ${e?.code ?? e?.message ?? 'not verified'}`)
}

// --- connections ----------------------------------------------------------------------------------

/** Sockets whose handshake failed: their close is not reported (connectError was). */
const failedConnects = new WeakSet<object>()

/** Bun's handler table for connections with `t`: one per (handler set, server). */
const connectTables = new WeakMap<TlsConnect, WeakMap<object, Record<string, unknown>>>()

/** How long a session read from a connection is offered before a fresher one is read. */
const SESSION_REFRESH = 10_000

export function tlsConnectHandlers<T>(h: SockHandlers<T>, t: TlsConnect): Record<string, unknown> {
  let byHandlers = connectTables.get(t)
  if (byHandlers === undefined) connectTables.set(t, (byHandlers = new WeakMap()))
  let table = byHandlers.get(h)
  if (table !== undefined) return table
  let sessionAt = -Infinity
  const data = t.reuse
    ? (s: BunTlsSock & Sock<T>, chunk: Buffer): void => {
        if (now() - sessionAt > SESSION_REFRESH) {
          const session = s.getSession()
          if (session !== undefined) { t.session = session; sessionAt = now() }
        }
        h.data(s, chunk)
      }
    : h.data
  table = {
    binaryType: 'buffer',
    open(s: BunTlsSock) {
      if (t.reuse && t.session !== undefined) s.setSession(t.session as Buffer)
    },
    handshake(s: BunTlsSock, ok: boolean, error: (Error & { code?: string }) | null) {
      // `ok` is also false, the connection going on, when the certificate did not verify (its
      // chain, or a name Bun checked against the host): edgelb decides that itself.
      const fatal = !ok && !isVerifyError(error)
      let refused: Error | undefined
      try { refused = fatal ? error ?? new Error('TLS handshake failure') : t.verify ? serverCertRefusal(s, t) : undefined } catch (e) { refused = e as Error } // fail closed
      if (refused !== undefined) {
        failedConnects.add(s)
        h.connectError?.(s as unknown as Sock<T>, refused)
        s.terminate()
        return
      }
      h.open?.(s as unknown as Sock<T>)
    },
    data,
    drain: h.drain,
    end: h.end,
    close(s: BunTlsSock, error?: Error) {
      if (failedConnects.has(s)) return
      h.close(s as unknown as Sock<T>, error)
    },
    error: h.error,
    connectError: h.connectError,
  }
  byHandlers.set(h, table)
  return table
}

// --- TLS started on a clear socket ---------------------------------------------------------------

/** `data` of a clear socket whose events are no one's any more: its TLS started (Bun still reports
 *  its ciphertext and its close to the clear socket's handlers, which ignore them), or it failed
 *  before. */
export const DETACHED = Object.freeze({ detached: true })

/** A clear socket as this module uses it. */
export interface BunClearSock {
  data: unknown
  write(chunk: Uint8Array): number
  terminate(): void
  upgradeTLS(options: Record<string, unknown>): [unknown, BunTlsSock]
}

/** `data` of a connection's clear socket while it sends its preface. */
export class Prefacing {
  constructor(readonly data: unknown, public rest: Uint8Array | ((s: Sock<unknown>) => Uint8Array), readonly serverName: string | undefined) {}
}

const prefaceTables = new WeakMap<TlsConnect, WeakMap<object, Record<string, unknown>>>()

/** Bun's handler table of a connection with `t` that sends a preface in clear, then starts TLS
 *  (its `data` a Prefacing); the TLS socket gets `tlsConnectHandlers`. One per (handlers, server). */
export function prefaceConnectHandlers<T>(h: SockHandlers<T>, t: TlsConnect): Record<string, unknown> {
  let byHandlers = prefaceTables.get(t)
  if (byHandlers === undefined) prefaceTables.set(t, (byHandlers = new WeakMap()))
  let table = byHandlers.get(h)
  if (table !== undefined) return table
  const failed = (s: BunClearSock, e: Error): void => {
    const p = s.data
    if (!(p instanceof Prefacing)) return
    s.data = p.data
    h.connectError?.(s as unknown as Sock<T>, e)
    s.data = DETACHED
    s.terminate()
  }
  const send = (s: BunClearSock): void => {
    const p = s.data as Prefacing
    const bytes = typeof p.rest === 'function' ? p.rest(s as unknown as Sock<unknown>) : p.rest
    const n = s.write(bytes)
    if (n < 0) { failed(s, new Error('connection closed before the TLS handshake')); return }
    if (n < bytes.length) { p.rest = bytes.subarray(n); return } // the rest at drain
    s.data = DETACHED
    try {
      s.upgradeTLS({ data: p.data, tls: connectTlsOptions(t, p.serverName), socket: tlsConnectHandlers(h, t) })
    } catch (e) {
      s.data = p
      failed(s, e as Error)
    }
  }
  table = {
    binaryType: 'buffer',
    open: send,
    drain(s: BunClearSock) { if (s.data instanceof Prefacing) send(s) },
    // Ciphertext once TLS started; before, bytes the server should not have sent yet.
    data() {},
    end(s: BunClearSock) { failed(s, new Error('the server closed the connection before the TLS handshake')) },
    close(s: BunClearSock, error?: Error) { failed(s, error ?? new Error('the server closed the connection before the TLS handshake')) },
    error() {},
    connectError(s: BunClearSock, error: Error) { failed(s, error) },
  }
  byHandlers.set(h, table)
  return table
}

/** A certificate verification result rather than a failed handshake. */
function isVerifyError(e: (Error & { code?: string }) | null): boolean {
  return e !== null && e.code !== undefined && verifyCode(e.code) !== 1
}

/** Why a server's certificate is refused (`verify required`), or undefined. */
function serverCertRefusal(s: BunTlsSock, t: TlsConnect): Error | undefined {
  const e = s.getAuthorizationError()
  if (e && e.code !== 'ERR_TLS_CERT_ALTNAME_INVALID') return new Error(`server certificate refused: ${e.code ?? e.message}`)
  const name = t.verifyHost ?? s.getServername()
  if (!name) return undefined
  const cert = s.getPeerX509Certificate()
  if (cert === undefined) return new Error('the server sent no certificate')
  const matches = ipFamily(name) !== 0 ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined
  if (!matches) return new Error(`server certificate refused: it is not for '${name}'`)
  return undefined
}

/** `Bun.connect`'s `tls` object for a connection. */
export function connectTlsOptions(t: TlsConnect, serverName: string | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = { secureContext: (t.context as BunTlsContext).native, rejectUnauthorized: false, serverName: serverName ?? '' }
  if (t.alpn.length > 0) o['ALPNProtocols'] = alpnWire(t.alpn)
  return o
}

// --- facts --------------------------------------------------------------------------------------

export function tlsFacts(sock: Sock<unknown>): TlsFacts | null {
  const s = sock as unknown as Partial<BunTlsSock>
  if (typeof s.getTLSVersion !== 'function') return null
  const protocol = s.getTLSVersion()
  if (!protocol) return null
  const peerCert = s.getPeerX509Certificate!()
  const err = peerCert === undefined || s.authorized ? null : s.getAuthorizationError!()
  return {
    sni: s.getServername!() || undefined,
    alpn: s.alpnProtocol || undefined,
    protocol,
    cipher: s.getCipher!()?.name ?? '',
    resumed: s.isSessionReused!(),
    peerCert,
    verifyResult: err ? verifyCode(err.code) : 0,
  }
}
