/**
 * One HTTP/2 connection, either end of it (RFC 9113): reads frames from the bytes its transport
 * received, keeps the streams, the settings and the windows of both sides, answers what the
 * protocol answers itself (SETTINGS ACK, PING ACK, WINDOW_UPDATE), and writes what its streams
 * are given, within the peer's windows. It owns no socket: `write` is the transport's (Sock
 * semantics: bytes accepted, -1 once closed), and the transport calls `feed` and `drained`.
 *
 * Connection life:
 *
 *   preface (server role: the client's 24 bytes; both: a first SETTINGS)
 *     --> open --shutdown() or GOAWAY received--> draining --no stream left--> closed
 *          `--connection error (any state): GOAWAY with its code, every stream reset--> closed
 *
 * A stream error resets that stream alone (RST_STREAM); a connection error, or a peer whose
 * glitches (limits.ts) go past the limits, ends the connection with GOAWAY, which never touches
 * another connection. Header blocks are decoded in the order they arrive, even on streams that
 * are refused or already closed, so that the HPACK table stays in step.
 */
import {
  CONTINUATION, DATA, ENHANCE_YOUR_CALM, FLAG_ACK, FLAG_END_HEADERS, FLAG_END_STREAM, FLAG_PADDED, FLAG_PRIORITY,
  FLOW_CONTROL_ERROR, FRAME_HEADER_SIZE, FRAME_SIZE_ERROR, GOAWAY, HEADERS, MAX_ID, MAX_WINDOW, NO_ERROR, PING,
  PREFACE, PRIORITY, PROTOCOL_ERROR, PUSH_PROMISE, REFUSED_STREAM, RST_STREAM, SETTINGS, STREAM_CLOSED, WINDOW_UPDATE,
  dataFrames, errorName, frame, writeHeader, goawayFrame, headerFrames, pingFrame, readU31, readU32, rstStreamFrame, windowUpdateFrame,
  COMPRESSION_ERROR, CANCEL,
} from './frames.ts'
import { HpackDecoder, HpackEncoder, TOO_LARGE } from './hpack.ts'
import { GlitchCounter, type H2Limits } from './limits.ts'
import { applySettings, defaultSettings, encodeSettings, type H2Settings } from './settings.ts'
import { H2Stream, type H2StreamEvents } from './stream.ts'

export interface H2ConnEvents {
  /** Server role: the peer opened `s` with its request's header block (`fields`: name, value…).
   *  The listener sets `s.events` before returning, or resets the stream. */
  onStream(s: H2Stream, fields: string[], endStream: boolean): void
  /** The connection has ended (`code`: NO_ERROR after a graceful end): the transport closes once
   *  what was written has gone. Every stream was reset before. */
  onClose(code: number, reason: string): void
  /** The peer sent GOAWAY: streams above `lastId` were reset with REFUSED_STREAM (safe to retry
   *  elsewhere); no new stream may be opened. */
  onGoaway?(lastId: number, code: number): void
  /** Streams ended or settings changed: the connection may take a new stream (client role). */
  onIdle?(): void
}

export interface H2ConnOptions {
  role: 'server' | 'client'
  limits: H2Limits
  /** The transport's write: bytes accepted (fewer under pressure), -1 once closed. */
  write(chunk: Uint8Array): number
  events: H2ConnEvents
  /** Where this connection counts (else counters of its own). */
  counters?: H2Counters
}

/** HAProxy's `h2_*` counters (its h2 stats module), shared by the connections of one frontend:
 *  frames received, resets and GOAWAYs sent, protocol errors found, connections and streams. */
export class H2Counters {
  headersRcvd = 0
  dataRcvd = 0
  settingsRcvd = 0
  rstRcvd = 0
  goawayRcvd = 0
  /** RST_STREAM and GOAWAY sent (`h2_rst_stream_resp`, `h2_goaway_resp`). */
  rstSent = 0
  goawaySent = 0
  connProtoErr = 0
  strmProtoErr = 0
  /** Connections open now, and ever. */
  openConns = 0
  totalConns = 0
  /** Streams open now, and ever. */
  openStreams = 0
  totalStreams = 0
}

export class H2Connection {
  readonly role: 'server' | 'client'
  readonly limits: H2Limits
  readonly local: H2Settings
  readonly remote: H2Settings = defaultSettings()
  readonly counters: H2Counters
  readonly streams = new Map<number, H2Stream>()
  readonly #events: H2ConnEvents
  readonly #write: (chunk: Uint8Array) => number
  readonly #decoder: HpackDecoder
  readonly #encoder = new HpackEncoder()
  readonly #glitches: GlitchCounter

  state: 'preface' | 'open' | 'draining' | 'closed' = 'preface'
  /** The preface (server role) or the first SETTINGS is still awaited. */
  #prefaceLeft: number
  #settingsSeen = false
  #in: Uint8Array | null = null
  readonly #outQ: Uint8Array[] = []
  #outSize = 0
  /** Streams with DATA or an end waiting for window or for the socket, in turn. */
  readonly #sending = new Set<H2Stream>()

  /** Highest stream id the peer opened (server role), or we opened (client role). */
  lastPeerId = 0
  #nextLocalId = 1
  /** Streams opened in this connection's life. */
  totalStreams = 0
  /** GOAWAY sent: the highest peer stream that will be served. */
  #goawayLast = MAX_ID
  /** GOAWAY received: the highest of our streams the peer serves. */
  peerGoawayLast = MAX_ID

  #sendWindow = 65535
  #recvWindow = 65535
  #recvUnacked = 0

  /** A header block being received: its stream, frames so far, END_STREAM on its HEADERS. */
  #block: { id: number; parts: Uint8Array[]; size: number; end: boolean; frames: number } | null = null

  constructor(o: H2ConnOptions) {
    this.role = o.role
    this.limits = o.limits
    this.#events = o.events
    this.#write = o.write
    this.#decoder = new HpackDecoder(o.limits.headerTableSize)
    this.#glitches = new GlitchCounter(o.limits)
    this.#prefaceLeft = o.role === 'server' ? PREFACE.length : 0
    this.counters = o.counters ?? new H2Counters()
    this.counters.openConns++
    this.counters.totalConns++
    this.local = {
      headerTableSize: o.limits.headerTableSize,
      enablePush: false,
      maxConcurrentStreams: o.role === 'server' ? o.limits.maxConcurrentStreams : Infinity,
      initialWindowSize: o.limits.initialWindowSize,
      maxFrameSize: o.limits.maxFrameSize,
      maxHeaderListSize: o.limits.maxHeaderListSize,
      enableConnectProtocol: o.role === 'server' && o.limits.enableConnectProtocol,
    }
  }

  /** Sends our preface: (client role) the magic, then SETTINGS. Nothing else comes before the
   *  peer's SETTINGS are acknowledged: as HAProxy, edgelb gives the connection window back as
   *  data arrives (#consumedConn) rather than enlarging it at once, which peers that expect
   *  SETTINGS, then the ACK, read strictly. */
  start(): void {
    if (this.role === 'client') this.#emit(PREFACE)
    this.#emit(frame(SETTINGS, 0, 0, encodeSettings(this.local, false)))
  }

  get glitches(): number {
    return this.#glitches.total
  }

  /** Streams open now (not closed). */
  get active(): number {
    return this.streams.size
  }

  /** Client role: whether one more stream may be opened now. */
  get canOpen(): boolean {
    return this.state === 'open' && this.#settingsSeen && this.streams.size < this.remote.maxConcurrentStreams &&
      this.#nextLocalId <= MAX_ID && (this.limits.maxTotalStreams === 0 || this.totalStreams < this.limits.maxTotalStreams)
  }

  // --- input -----------------------------------------------------------------------------------

  /** Bytes from the transport. */
  feed(chunk: Uint8Array): void {
    if (this.state === 'closed') return
    this.cork()
    try {
      this.#feed(chunk)
    } finally {
      this.uncork()
    }
  }

  #feed(chunk: Uint8Array): void {
    let buf = chunk
    if (this.#in !== null) { buf = Buffer.concat([this.#in, chunk]); this.#in = null }
    let p = 0
    if (this.#prefaceLeft > 0) {
      const at = PREFACE.length - this.#prefaceLeft
      const n = Math.min(this.#prefaceLeft, buf.length)
      for (let i = 0; i < n; i++) {
        if (buf[i] !== PREFACE[at + i]) { this.#fail(PROTOCOL_ERROR, 'bad connection preface'); return }
      }
      this.#prefaceLeft -= n
      p = n
    }
    while (this.#alive()) {
      if (buf.length - p < FRAME_HEADER_SIZE) break
      const len = (buf[p]! << 16) | (buf[p + 1]! << 8) | buf[p + 2]!
      if (len > this.local.maxFrameSize) { this.#fail(FRAME_SIZE_ERROR, `frame of ${len} bytes`); return }
      if (buf.length - p < FRAME_HEADER_SIZE + len) break
      const type = buf[p + 3]!
      const flags = buf[p + 4]!
      const id = readU31(buf, p + 5)
      const payload = buf.subarray(p + FRAME_HEADER_SIZE, p + FRAME_HEADER_SIZE + len)
      p += FRAME_HEADER_SIZE + len
      this.#frame(type, flags, id, payload)
    }
    if (this.#alive() && p < buf.length) {
      // A partial frame: kept (copied, so the transport's buffer may be reused).
      this.#in = Buffer.from(buf.subarray(p))
    }
  }

  /** Not closed (read again after each call that may close it). */
  #alive(): boolean {
    return this.state !== 'closed'
  }

  #frame(type: number, flags: number, id: number, p: Uint8Array): void {
    if (!this.#settingsSeen && (type !== SETTINGS || (flags & FLAG_ACK) !== 0)) {
      this.#fail(PROTOCOL_ERROR, 'first frame is not SETTINGS')
      return
    }
    const block = this.#block
    if (block !== null && (type !== CONTINUATION || id !== block.id)) {
      this.#fail(PROTOCOL_ERROR, 'header block interrupted')
      return
    }
    switch (type) {
      case DATA: this.#onData(flags, id, p); return
      case HEADERS: this.#onHeaders(flags, id, p); return
      case PRIORITY:
        if (id === 0) { this.#fail(PROTOCOL_ERROR, 'PRIORITY on stream 0'); return }
        if (p.length !== 5) { this.#streamError(id, FRAME_SIZE_ERROR); return }
        // Priorities are ignored; a PRIORITY on no stream costs an answer to nothing.
        if (!this.streams.has(id)) this.#glitch(1)
        return
      case RST_STREAM: this.#onRst(id, p); return
      case SETTINGS: this.#onSettings(flags, id, p); return
      case PUSH_PROMISE: this.#fail(PROTOCOL_ERROR, 'PUSH_PROMISE with push disabled'); return
      case PING:
        if (id !== 0) { this.#fail(PROTOCOL_ERROR, 'PING on a stream'); return }
        if (p.length !== 8) { this.#fail(FRAME_SIZE_ERROR, 'PING of a wrong size'); return }
        if ((flags & FLAG_ACK) !== 0) return
        if (this.#glitch(1)) return
        this.#emit(pingFrame(p, true))
        return
      case GOAWAY: this.#onGoaway(id, p); return
      case WINDOW_UPDATE: this.#onWindowUpdate(id, p); return
      case CONTINUATION: this.#onContinuation(flags, id, p); return
      default:
        return // unknown frame types are ignored (RFC 9113 §4.1)
    }
  }

  /** Counts glitches; true (and the connection is closed) when there are too many. */
  #glitch(n: number): boolean {
    if (!this.#glitches.add(n)) return false
    this.#fail(ENHANCE_YOUR_CALM, 'too many glitches')
    return true
  }

  /** The payload without its padding (PADDED), or null after a connection error. */
  #unpad(flags: number, p: Uint8Array): Uint8Array | null {
    if ((flags & FLAG_PADDED) === 0) return p
    if (p.length < 1 || p[0]! >= p.length) { this.#fail(PROTOCOL_ERROR, 'bad padding'); return null }
    return p.subarray(1, p.length - p[0]!)
  }

  #onData(flags: number, id: number, raw: Uint8Array): void {
    if (id === 0) { this.#fail(PROTOCOL_ERROR, 'DATA on stream 0'); return }
    this.counters.dataRcvd++
    // Flow control counts the whole frame, padding included.
    if (raw.length > this.#recvWindow) { this.#fail(FLOW_CONTROL_ERROR, 'connection window exceeded'); return }
    this.#recvWindow -= raw.length
    this.#consumedConn(raw.length)
    const p = this.#unpad(flags, raw)
    if (p === null) return
    const end = (flags & FLAG_END_STREAM) !== 0
    const s = this.streams.get(id)
    if (s === undefined) {
      if (this.#isIdle(id)) { this.#fail(PROTOCOL_ERROR, 'DATA on an idle stream'); return }
      this.#rst(id, STREAM_CLOSED)
      return
    }
    if (s.recvEnded) { this.#streamError(id, STREAM_CLOSED); return }
    if (raw.length > s.recvWindow) { this.#streamError(id, FLOW_CONTROL_ERROR); return }
    s.recvWindow -= raw.length
    // Padding is never delivered: given back at once.
    if (raw.length > p.length) s.unacked += raw.length - p.length
    if (p.length === 0 && !end && this.#glitch(1)) return
    if (end) this.#recvEnd(s)
    s.events?.onData(p, end)
    if (!s.reset) this.consumed(s, p.length)
    if (end) this.#maybeClosed(s)
  }

  /** The reader of `s` took `n` bytes: the peer may send them again once it is not paused. */
  consumed(s: H2Stream, n: number): void {
    s.unacked += n
    if (s.paused || s.recvEnded || s.reset || s.unacked < this.local.initialWindowSize / 2) return
    this.#emit(windowUpdateFrame(s.id, s.unacked))
    s.recvWindow += s.unacked
    s.unacked = 0
  }

  #consumedConn(n: number): void {
    this.#recvUnacked += n
    if (this.#recvUnacked < 32768) return
    this.#emit(windowUpdateFrame(0, this.#recvUnacked))
    this.#recvWindow += this.#recvUnacked
    this.#recvUnacked = 0
  }

  /** Pauses or resumes the peer's sending on `s` (its window is given back on resume). */
  setPaused(s: H2Stream, paused: boolean): void {
    s.paused = paused
    if (!paused) this.consumed(s, 0)
  }

  #onHeaders(flags: number, id: number, raw: Uint8Array): void {
    if (id === 0) { this.#fail(PROTOCOL_ERROR, 'HEADERS on stream 0'); return }
    let p = this.#unpad(flags, raw)
    if (p === null) return
    if ((flags & FLAG_PRIORITY) !== 0) {
      if (p.length < 5) { this.#fail(FRAME_SIZE_ERROR, 'HEADERS too short for its priority'); return }
      if (readU31(p, 0) === id) { this.#streamError(id, PROTOCOL_ERROR); }
      p = p.subarray(5)
    }
    this.counters.headersRcvd++
    const block = { id, parts: [p], size: p.length, end: (flags & FLAG_END_STREAM) !== 0, frames: 1 }
    if (p.length > this.limits.maxHeaderListSize) { this.#fail(COMPRESSION_ERROR, 'header block too large'); return }
    if ((flags & FLAG_END_HEADERS) === 0) { this.#block = block; return }
    this.#headerBlock(block)
  }

  #onContinuation(flags: number, id: number, p: Uint8Array): void {
    const b = this.#block
    if (b === null || b.id !== id) { this.#fail(PROTOCOL_ERROR, 'CONTINUATION without HEADERS'); return }
    b.parts.push(p)
    b.size += p.length
    b.frames++
    // A block that never ends, or ends after thousands of tiny frames, is a flood: the connection
    // closes without decoding it.
    if (b.size > this.limits.maxHeaderListSize || b.frames > this.limits.maxContinuations + 1) {
      this.#fail(ENHANCE_YOUR_CALM, 'CONTINUATION flood')
      return
    }
    if ((flags & FLAG_END_HEADERS) === 0) return
    this.#block = null
    this.#headerBlock(b)
  }

  #headerBlock(b: { id: number; parts: Uint8Array[]; size: number; end: boolean }): void {
    this.#block = null
    const block = b.parts.length === 1 ? b.parts[0]! : Buffer.concat(b.parts)
    const fields: string[] = []
    const r = this.#decoder.decode(block, fields, this.limits.maxHeaderListSize, this.limits.maxHeaderFields)
    if (r === COMPRESSION_ERROR) { this.#fail(COMPRESSION_ERROR, 'HPACK decoding failed'); return }
    const id = b.id
    const s = this.streams.get(id)
    if (s !== undefined) {
      // Trailers, or a response (client role), or headers after a 1xx.
      if (s.recvEnded) { this.#streamError(id, STREAM_CLOSED); return }
      if (r === TOO_LARGE) { this.#streamError(id, PROTOCOL_ERROR); return }
      if (s.headersReceived && !b.end && !(this.role === 'client' && isInformational(fields))) {
        this.#streamError(id, PROTOCOL_ERROR) // trailers must end the stream
        return
      }
      s.headersReceived = true
      if (b.end) this.#recvEnd(s)
      s.events?.onHeaders(fields, b.end)
      if (b.end) this.#maybeClosed(s)
      return
    }
    // A stream we reset or that ended: the block kept the table in step; nothing more.
    if (this.role === 'client') return
    if ((id & 1) === 0) { this.#fail(PROTOCOL_ERROR, 'even stream id from a client'); return }
    if (!this.#isIdle(id)) return
    // A new stream opened by the client.
    this.lastPeerId = id
    if (this.state === 'draining' && id > this.#goawayLast) return // after our GOAWAY: ignored
    if (this.streams.size >= this.local.maxConcurrentStreams) {
      // Above the limit announced: refused, and counted (a peer that keeps doing it is abusive).
      this.#rst(id, REFUSED_STREAM)
      this.#glitch(1)
      return
    }
    if (r === TOO_LARGE) { this.#rst(id, PROTOCOL_ERROR); this.counters.strmProtoErr++; return }
    const s2 = new H2Stream(id, this.remote.initialWindowSize, this.local.initialWindowSize)
    s2.headersReceived = true
    this.streams.set(id, s2)
    this.totalStreams++
    this.counters.openStreams++
    this.counters.totalStreams++
    if (b.end) s2.recvEnded = true
    this.#events.onStream(s2, fields, b.end)
    if (s2.events === null && !s2.closed) this.reset(s2, REFUSED_STREAM)
    if (this.limits.maxTotalStreams > 0 && this.totalStreams >= this.limits.maxTotalStreams && this.state === 'open') this.shutdown()
  }

  /** A stream id the peer may still open (above every one it opened). */
  #isIdle(id: number): boolean {
    if (this.role === 'server') return id > this.lastPeerId && (id & 1) === 1
    return id >= this.#nextLocalId
  }

  #onRst(id: number, p: Uint8Array): void {
    if (p.length !== 4) { this.#fail(FRAME_SIZE_ERROR, 'RST_STREAM of a wrong size'); return }
    if (id === 0) { this.#fail(PROTOCOL_ERROR, 'RST_STREAM on stream 0'); return }
    if (this.#isIdle(id)) { this.#fail(PROTOCOL_ERROR, 'RST_STREAM on an idle stream'); return }
    this.counters.rstRcvd++
    const s = this.streams.get(id)
    if (s === undefined) return
    // A client cancelling a stream whose answer it has not had: rapid reset counts here.
    if (this.role === 'server' && !s.sentEnded && this.#glitch(1)) return
    this.#dropStream(s, readU32(p, 0))
  }

  #onSettings(flags: number, id: number, p: Uint8Array): void {
    if (id !== 0) { this.#fail(PROTOCOL_ERROR, 'SETTINGS on a stream'); return }
    if ((flags & FLAG_ACK) !== 0) {
      if (p.length !== 0) this.#fail(FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload')
      return
    }
    if (p.length % 6 !== 0) { this.#fail(FRAME_SIZE_ERROR, 'SETTINGS of a wrong size'); return }
    this.counters.settingsRcvd++
    if (this.#settingsSeen && this.#glitch(1)) return
    const oldWindow = this.remote.initialWindowSize
    const err = applySettings(this.remote, p)
    if (err !== 0) { this.#fail(err, 'bad SETTINGS value'); return }
    const first = !this.#settingsSeen
    this.#settingsSeen = true
    if (this.state === 'preface') this.state = 'open'
    this.#encoder.setPeerTableSize(this.remote.headerTableSize)
    const delta = this.remote.initialWindowSize - oldWindow
    if (delta !== 0) {
      for (const s of this.streams.values()) {
        s.sendWindow += delta
        if (s.sendWindow > MAX_WINDOW) { this.#fail(FLOW_CONTROL_ERROR, 'stream window overflow'); return }
      }
    }
    this.#emit(frame(SETTINGS, FLAG_ACK, 0))
    if (delta > 0) this.#pump()
    if (first || delta !== 0) this.#events.onIdle?.()
  }

  #onGoaway(id: number, p: Uint8Array): void {
    if (id !== 0) { this.#fail(PROTOCOL_ERROR, 'GOAWAY on a stream'); return }
    if (p.length < 8) { this.#fail(FRAME_SIZE_ERROR, 'GOAWAY too short'); return }
    this.counters.goawayRcvd++
    const last = readU31(p, 0)
    const code = readU32(p, 4)
    this.peerGoawayLast = Math.min(this.peerGoawayLast, last)
    if (this.role === 'client') {
      for (const s of [...this.streams.values()]) if (s.id > last) this.#dropStream(s, REFUSED_STREAM)
    }
    if (this.state === 'open') this.state = 'draining'
    this.#events.onGoaway?.(last, code)
    if (code !== NO_ERROR) { this.#close(code, `GOAWAY received: ${errorName(code)}`); return }
    this.#closeIfDone()
  }

  #onWindowUpdate(id: number, p: Uint8Array): void {
    if (p.length !== 4) { this.#fail(FRAME_SIZE_ERROR, 'WINDOW_UPDATE of a wrong size'); return }
    const inc = readU31(p, 0)
    if (id === 0) {
      if (inc === 0) { this.#fail(PROTOCOL_ERROR, 'WINDOW_UPDATE of 0'); return }
      this.#sendWindow += inc
      if (this.#sendWindow > MAX_WINDOW) { this.#fail(FLOW_CONTROL_ERROR, 'connection window overflow'); return }
      this.#pump()
      return
    }
    const s = this.streams.get(id)
    if (s === undefined) {
      if (this.#isIdle(id)) this.#fail(PROTOCOL_ERROR, 'WINDOW_UPDATE on an idle stream')
      return
    }
    if (inc === 0) { this.#streamError(id, PROTOCOL_ERROR); return }
    s.sendWindow += inc
    if (s.sendWindow > MAX_WINDOW) { this.#streamError(id, FLOW_CONTROL_ERROR); return }
    if (s.outSize > 0 || s.outEnd) this.#pump()
  }

  // --- streams -----------------------------------------------------------------------------------

  /** Client role: opens a stream with a request's header block. */
  open(fields: readonly string[], endStream: boolean, events: H2StreamEvents): H2Stream {
    const s = new H2Stream(this.#nextLocalId, this.remote.initialWindowSize, this.local.initialWindowSize)
    this.#nextLocalId += 2
    this.totalStreams++
    this.counters.openStreams++
    this.counters.totalStreams++
    s.events = events
    this.streams.set(s.id, s)
    this.sendHeaders(s, fields, endStream)
    return s
  }

  /** Sends a header block on `s` (a response, a request, an informational head). */
  sendHeaders(s: H2Stream, fields: readonly string[], endStream: boolean): void {
    if (s.reset || s.sentEnded || this.state === 'closed') return
    s.headersSent = true
    const block = this.#encoder.encode(fields)
    this.#emit(headerFrames(s.id, block, endStream, this.remote.maxFrameSize))
    if (endStream) { s.sentEnded = true; this.#maybeClosed(s) }
  }

  /** Queues DATA on `s` (END_STREAM after it with `end`, with `trailers` when given). Returns
   *  false when the writer should wait for `onWritable`. */
  sendData(s: H2Stream, chunk: Uint8Array | null, end: boolean, trailers?: string[]): boolean {
    if (s.reset || s.outEnd || this.state === 'closed') return true
    if (chunk !== null && chunk.length > 0) { s.out.push(chunk); s.outSize += chunk.length }
    if (end) { s.outEnd = true; if (trailers !== undefined && trailers.length > 0) s.trailers = trailers }
    this.#sending.add(s)
    this.#pump()
    if (s.outSize >= H2Stream.HIGH_WATER) { s.wantWritable = true; return false }
    return true
  }

  /** Resets `s` (RST_STREAM with `code`); its events hear nothing more. */
  reset(s: H2Stream, code: number): void {
    if (s.reset) return
    const wasClosed = s.closed
    s.events = null
    this.#dropStream(s, code)
    if (!wasClosed) this.#rst(s.id, code)
  }

  #rst(id: number, code: number): void {
    this.counters.rstSent++
    this.#emit(rstStreamFrame(id, code))
  }

  #streamError(id: number, code: number): void {
    this.counters.strmProtoErr++
    const s = this.streams.get(id)
    if (s !== undefined) {
      const ev = s.events
      s.events = null
      this.#dropStream(s, code)
      ev?.onReset(code)
    }
    this.#rst(id, code)
  }

  #recvEnd(s: H2Stream): void {
    s.recvEnded = true
  }

  #maybeClosed(s: H2Stream): void {
    if (!s.closed || !this.streams.has(s.id)) return
    this.counters.openStreams--
    this.streams.delete(s.id)
    this.#sending.delete(s)
    this.#afterStreamEnd()
  }

  /** The stream is reset: forgotten, its user told (unless it asked for the reset). */
  #dropStream(s: H2Stream, code: number): void {
    s.reset = true
    if (this.streams.delete(s.id)) this.counters.openStreams--
    this.#sending.delete(s)
    s.out.length = 0
    s.outSize = 0
    const ev = s.events
    s.events = null
    ev?.onReset(code)
    this.#afterStreamEnd()
  }

  #afterStreamEnd(): void {
    if (this.state === 'draining') this.#closeIfDone()
    else this.#events.onIdle?.()
  }

  // --- output ----------------------------------------------------------------------------------

  /** While corked (`cork`…`uncork`, nested), frames gather and go out in one write. */
  #corked = 0
  readonly #gathered: Uint8Array[] = []

  cork(): void {
    this.#corked++
  }

  /** Frames from now on go out in one write: at the end of this turn of the event loop when
   *  other streams are open (their answers, read from other sockets in the same turn, join the
   *  write: one write for many streams instead of one each), else at the end of the current task
   *  (a lone stream's answer is not delayed by a turn). */
  deferFlush(): void {
    if (this.#deferred) return
    this.#deferred = true
    this.#corked++
    if (this.streams.size > 1) setImmediate(this.#flushDeferred)
    else queueMicrotask(this.#flushDeferred)
  }

  #deferred = false
  readonly #flushDeferred = (): void => {
    this.#deferred = false
    this.uncork()
  }

  uncork(): void {
    if (--this.#corked > 0 || this.#gathered.length === 0) return
    this.#send(this.#takeGathered())
  }

  /** What was gathered, as one buffer (the only copy DATA payloads go through before the
   *  transport); the frame headers' buffer is free again after it. */
  #takeGathered(): Uint8Array {
    const g = this.#gathered
    const b = g.length === 1 && this.#hdrAt === 0 ? g[0]! : Buffer.concat(g, this.#gatheredSize)
    g.length = 0
    this.#gatheredSize = 0
    this.#hdrAt = 0
    return b
  }

  /** DATA frames of `chunk` (END_STREAM on the last with `end`). While corked, each frame's header
   *  is written in a shared buffer and its payload gathered as it is, no copy and no buffer per
   *  frame; the one copy is into the write at uncork. */
  #emitData(id: number, chunk: Uint8Array, end: boolean, max: number): void {
    if (this.state === 'closed') return
    if (this.#corked === 0) { this.#send(dataFrames(id, chunk, end, max)); return }
    const g = this.#gathered
    let a = 0
    do {
      const len = Math.min(max, chunk.length - a)
      if (this.#hdrAt + FRAME_HEADER_SIZE > this.#hdrs.length) {
        // Full: the one gathered still refers to it; a new one until the next uncork.
        this.#hdrs = Buffer.allocUnsafe(this.#hdrs.length)
        this.#hdrAt = 0
      }
      const h = this.#hdrAt
      writeHeader(this.#hdrs, h, len, DATA, end && a + len === chunk.length ? FLAG_END_STREAM : 0, id)
      g.push(this.#hdrs.subarray(h, h + FRAME_HEADER_SIZE))
      this.#hdrAt = h + FRAME_HEADER_SIZE
      if (len > 0) g.push(len === chunk.length ? chunk : chunk.subarray(a, a + len))
      this.#gatheredSize += FRAME_HEADER_SIZE + len
      a += len
    } while (a < chunk.length)
    // A large batch goes now: writes of a bounded size reuse warm memory (a batch of megabytes
    // is fresh pages to fault in, each time), and the socket starts sending sooner.
    if (this.#gatheredSize >= BATCH_MAX) this.#send(this.#takeGathered())
  }

  #hdrs = Buffer.allocUnsafe(FRAME_HEADER_SIZE * 256)
  #hdrAt = 0
  #gatheredSize = 0

  #emit(b: Uint8Array): void {
    if (this.state === 'closed' && b[3] !== GOAWAY) return
    if (this.#corked > 0) { this.#gathered.push(b); this.#gatheredSize += b.length; return }
    this.#send(b)
  }

  #send(b: Uint8Array): void {
    if (this.#outQ.length > 0) {
      // Frames made while the socket is full (answers to the peer's frames, new streams' heads:
      // DATA waits for the socket instead). The write that filled it may be large (the answers
      // of many streams at once); only what piles up behind it tells a peer that does not read.
      this.#outQ.push(b)
      this.#outSize += b.length
      this.#piled += b.length
      if (this.#piled > this.limits.maxPendingOutput) this.#close(ENHANCE_YOUR_CALM, 'peer does not read')
      return
    }
    const n = this.#write(b)
    if (n < 0 || n === b.length) return
    const rest = n === 0 ? b : b.subarray(n)
    this.#outQ.push(rest)
    this.#outSize += rest.length
    this.#piled = 0
  }

  /** Bytes queued behind a write the socket did not take whole. */
  #piled = 0

  /** Nothing is waiting for the socket. */
  get flushed(): boolean {
    return this.#outQ.length === 0 && this.#gathered.length === 0
  }

  /** The transport can take more: what was queued goes, then DATA within the windows. */
  drained(): void {
    this.cork()
    try {
      this.#drained()
    } finally {
      this.uncork()
    }
  }

  #drained(): void {
    while (this.#outQ.length > 0) {
      const b = this.#outQ[0]!
      const n = this.#write(b)
      if (n < 0) { this.#outQ.length = 0; this.#outSize = 0; return }
      if (n < b.length) { this.#outQ[0] = b.subarray(n); this.#outSize -= n; return }
      this.#outQ.shift()
      this.#outSize -= b.length
    }
    this.#pump()
    if (this.state === 'closed' || this.state === 'draining') this.#closeIfDone()
  }

  /** Writes DATA of the streams waiting, in turn, while the windows and the socket allow. A
   *  writer told it may write again (onWritable) may queue more meanwhile: one more round then. */
  #pump(): void {
    if (this.#pumping) { this.#again = true; return }
    this.#pumping = true
    try {
      do {
        this.#again = false
        if (this.#sending.size === 0) return
        const list = [...this.#sending]
        this.#sending.clear()
        for (const s of list) this.#pumpStream(s)
      } while (this.#again && this.#outQ.length === 0 && this.state !== 'closed')
    } finally {
      this.#pumping = false
    }
  }

  #pumping = false
  #again = false

  #pumpStream(s: H2Stream): void {
    if (s.reset) return
    if (this.#outQ.length > 0 || this.state === 'closed') { this.#sending.add(s); return }
    const max = this.remote.maxFrameSize
    while (s.outSize > 0 && this.#outQ.length === 0) {
      const room = Math.min(this.#sendWindow, s.sendWindow)
      if (room <= 0) break
      const c = s.out[0]!
      const n = Math.min(c.length, room, max * 16)
      const piece = n === c.length ? c : c.subarray(0, n)
      if (n === c.length) s.out.shift()
      else s.out[0] = c.subarray(n)
      s.outSize -= n
      this.#sendWindow -= n
      s.sendWindow -= n
      const last = s.outSize === 0 && s.outEnd && s.trailers === null
      if (last) s.sentEnded = true
      this.#emitData(s.id, piece, last, max)
    }
    if (s.outSize === 0 && s.outEnd && !s.sentEnded) {
      s.sentEnded = true
      if (s.trailers !== null) {
        const t = s.trailers
        s.trailers = null
        this.#emit(headerFrames(s.id, this.#encoder.encode(t), true, max))
      } else this.#emitData(s.id, EMPTY, true, max)
    }
    if (s.outSize > 0) this.#sending.add(s)
    if (s.wantWritable && s.outSize < H2Stream.LOW_WATER) {
      s.wantWritable = false
      s.events?.onWritable()
    }
    if (s.sentEnded) this.#maybeClosed(s)
  }

  // --- the end ---------------------------------------------------------------------------------

  /** Graceful end (soft stop, reload, stream budget spent): GOAWAY with the last stream served;
   *  streams in progress finish, new ones are refused; the connection closes once none is left. */
  shutdown(): void {
    if (this.state === 'closed' || this.state === 'draining') return
    this.state = 'draining'
    this.#goawayLast = this.role === 'server' ? this.lastPeerId : 0
    this.counters.goawaySent++
    this.#emit(goawayFrame(this.#goawayLast, NO_ERROR))
    this.#closeIfDone()
  }

  #closeIfDone(): void {
    if (this.state === 'closed') return
    if (this.streams.size === 0 && this.#outQ.length === 0) this.#close(NO_ERROR, 'done')
  }

  /** A connection error: GOAWAY with `code`, then the end. */
  #fail(code: number, reason: string): void {
    if (this.state === 'closed') return
    this.counters.connProtoErr++
    this.counters.goawaySent++
    this.#emit(goawayFrame(this.lastPeerId, code, reason))
    this.#close(code, reason)
  }

  /** Ends the connection now (the transport went away, or a timeout): every stream is reset. */
  abort(reason: string): void {
    this.#close(CANCEL, reason)
  }

  #close(code: number, reason: string): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.counters.openConns--
    this.#block = null
    // What was gathered (the GOAWAY) goes now: the transport closes once it is flushed.
    if (this.#gathered.length > 0) this.#send(this.#takeGathered())
    for (const s of [...this.streams.values()]) this.#dropStream(s, code === NO_ERROR ? CANCEL : code)
    this.#events.onClose(code, reason)
  }
}

const EMPTY = new Uint8Array(0)
/** Bytes of DATA gathered before they are written, while corked. */
const BATCH_MAX = 128 * 1024

function isInformational(fields: readonly string[]): boolean {
  return fields[0] === ':status' && (fields[1]?.length ?? 0) === 3 && fields[1]![0] === '1'
}
