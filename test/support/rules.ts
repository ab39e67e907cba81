/**
 * Test support for the rules: heads parsed by the real parser, and fake session/stream views, so
 * each rule can be run without sockets. Not used at run time.
 */
import { createRequestParser, createResponseParser } from '../../src/http/h1-parser.ts'
import type { H1Head } from '../../src/http/types.ts'
import type { EngineView, Sample, SessionView, StreamView } from '../../src/rules/types.ts'
import type { StickEntry } from '../../src/rules/stick-table.ts'

const LIMITS = { maxHead: 65536, maxHeaders: 200 }

function parse(text: string, kind: 'request' | 'response'): H1Head {
  const b = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 255
  const p = kind === 'request' ? createRequestParser(LIMITS) : createResponseParser(LIMITS)
  const r = p.parse(b, b.length)
  if (r.kind !== 'done') throw new Error(`test head does not parse: ${JSON.stringify(r)}`)
  return r.head
}

/** A request head parsed by edgelb's parser (an HTTP/1.1 one gets `Host: test` if it has none). */
export function request(method: string, uri: string, headers: [string, string][] = [], version = '1.1'): H1Head {
  if (version === '1.1' && !headers.some(([n]) => n.toLowerCase() === 'host')) headers = [['Host', 'test'], ...headers]
  return parse(`${method} ${uri} HTTP/${version}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'request')
}

/** A response head parsed by edgelb's parser. */
export function response(status: number, headers: [string, string][] = []): H1Head {
  return parse(`HTTP/1.1 ${status} X\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'response')
}

/** Every field of a head as [name, value] pairs. */
export function fields(h: H1Head): [string, string][] {
  const out: [string, string][] = []
  for (let i = 0; i < h.headers.count; i++) out.push([h.headers.name(i), h.headers.value(i)])
  return out
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
  req: H1Head | null
  res: H1Head | null
  payload: Uint8Array | null
  payloadFinal: boolean
}

export function stream(over: Partial<FakeStream> = {}): FakeStream {
  return {
    sess: over.sess ?? session(), req: null, res: null, payload: null, payloadFinal: true, beName: '', srvName: '',
    vars: new Map<string, Sample>(), sc: [undefined, undefined, undefined], ...over,
  }
}

/** An RDP connection request as mstsc sends it: TPKT and X.224 headers, the cookie line, then an
 *  RDP negotiation request. */
export function rdpRequest(cookieLine: string): Uint8Array {
  const cookie = Buffer.from(cookieLine, 'latin1')
  const neg = [0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]
  const len = 11 + cookie.length + neg.length
  return new Uint8Array([0x03, 0x00, len >> 8, len & 255, len - 5, 0xe0, 0, 0, 0, 0, 0, ...cookie, ...neg])
}
