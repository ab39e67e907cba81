/**
 * Test support for the rules: a small in-memory H1Head and fake session/stream views, so each
 * rule can be run without sockets. Not used at run time.
 */
import type { BodyFraming, H1Head, HeaderList, HttpVersion } from '../http/types.ts'
import type { EngineView, Sample, SessionView, StreamView } from './types.ts'
import type { StickEntry } from './stick-table.ts'

class FakeHeaders implements HeaderList {
  fields: [string, string][]
  onChange: () => void
  constructor(fields: [string, string][], onChange: () => void) {
    this.fields = fields
    this.onChange = onChange
  }
  get count(): number {
    return this.fields.length
  }
  name(i: number): string {
    return this.fields[i]![0]
  }
  value(i: number): string {
    return this.fields[i]![1].trim()
  }
  find(lname: string, from = 0): number {
    for (let i = from; i < this.fields.length; i++) if (this.fields[i]![0].toLowerCase() === lname) return i
    return -1
  }
  get(lname: string): string | undefined {
    const i = this.find(lname)
    return i < 0 ? undefined : this.value(i)
  }
  add(name: string, value: string): void {
    this.fields.push([name, value])
    this.onChange()
  }
  set(name: string, value: string): void {
    const l = name.toLowerCase()
    const i = this.find(l)
    if (i < 0) { this.add(name, value); return }
    this.fields[i] = [this.fields[i]![0], value]
    this.fields = this.fields.filter((f, k) => k <= i || f[0].toLowerCase() !== l)
    this.onChange()
  }
  setValue(i: number, value: string): void {
    this.fields[i] = [this.fields[i]![0], value]
    this.onChange()
  }
  remove(lname: string): number {
    const before = this.fields.length
    this.fields = this.fields.filter((f) => f[0].toLowerCase() !== lname)
    if (this.fields.length !== before) this.onChange()
    return before - this.fields.length
  }
  removeAt(i: number): void {
    this.fields.splice(i, 1)
    this.onChange()
  }
}

export class FakeHead implements H1Head {
  readonly kind: 'request' | 'response'
  #method: string
  #uri: string
  status: number
  reason: string
  version: HttpVersion = 11
  readonly headers: FakeHeaders
  framing: BodyFraming = 'none'
  contentLength = -1
  connClose = false
  connKeepAlive = true
  connUpgrade = false
  expectContinue = false
  mustClose = false
  size = 0
  changed = false

  constructor(kind: 'request' | 'response', start: { method?: string; uri?: string; status?: number; reason?: string }, headers: [string, string][] = []) {
    this.kind = kind
    this.#method = start.method ?? ''
    this.#uri = start.uri ?? ''
    this.status = start.status ?? 0
    this.reason = start.reason ?? ''
    this.headers = new FakeHeaders(headers, () => { this.changed = true })
  }
  get method(): string { return this.#method }
  set method(v: string) { this.#method = v; this.changed = true }
  get uri(): string { return this.#uri }
  set uri(v: string) { this.#uri = v; this.changed = true }
  encode(): Uint8Array {
    const start = this.kind === 'request' ? `${this.method} ${this.uri} HTTP/1.${this.version === 11 ? 1 : 0}` : `HTTP/1.${this.version === 11 ? 1 : 0} ${this.status} ${this.reason}`
    return new TextEncoder().encode(`${start}\r\n${this.headers.fields.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`)
  }
}

export function request(method: string, uri: string, headers: [string, string][] = []): FakeHead {
  return new FakeHead('request', { method, uri }, headers)
}

export function response(status: number, headers: [string, string][] = []): FakeHead {
  return new FakeHead('response', { status, reason: 'OK' }, headers)
}

export const fakeEngine: EngineView = {
  nbsrv: (be) => (be === 'app' ? 2 : be === 'down' ? 0 : 1),
  connslots: (be) => (be === 'app' ? 10 : 0),
  beConn: () => 3,
  feConn: () => 4,
  srvIsUp: (_be, srv) => srv !== 'dead',
}

export function session(over: Partial<SessionView> = {}): SessionView {
  return {
    cliAddr: '192.168.1.10', cliPort: 40000, dstAddr: '10.0.0.1', dstPort: 80, feName: 'www',
    engine: fakeEngine, vars: new Map<string, Sample>(), sc: [undefined, undefined, undefined] as (StickEntry | undefined)[],
    ...over,
  }
}

export interface FakeStream extends StreamView {
  req: FakeHead | null
  res: FakeHead | null
  payload: Uint8Array | null
  payloadFinal: boolean
}

export function stream(over: Partial<FakeStream> = {}): FakeStream {
  return {
    sess: over.sess ?? session(), req: null, res: null, payload: null, payloadFinal: true, beName: '', srvName: '',
    vars: new Map<string, Sample>(), sc: [undefined, undefined, undefined], ...over,
  }
}
