/**
 * `option ssl-hello-chk`: sends a TLS ClientHello on a plain connection and expects a TLS record
 * back (HAProxy's rule: the answer's first byte is a handshake record, 0x16, or an alert, 0x15,
 * and at least 5 bytes came: the server speaks TLS). Up: L6OK; anything else: L6RSP; no answer
 * in time: L6TOUT.
 *
 * The hello is a TLS 1.2 one (record version 1.0, as clients send for compatibility) with the
 * usual ECDHE/AES-GCM/CHACHA20 suites, groups and signature algorithms, so that today's servers
 * answer with a ServerHello rather than a protocol-version alert. It carries no server name.
 */
import { randomFillSync } from 'node:crypto'
import type { CheckOutcome } from './status.ts'
import { CheckEnd, type CheckKind } from './types.ts'

const SUITES = [
  0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8, 0xcca9, // ECDHE-{RSA,ECDSA}-AES-GCM, CHACHA20
  0x009e, 0x009f, 0xc013, 0xc014, 0xc009, 0xc00a, // DHE-RSA-AES-GCM, ECDHE-*-AES-CBC
  0x009c, 0x009d, 0x002f, 0x0035, // RSA-AES
  0x00ff, // renegotiation info SCSV
]
const GROUPS = [0x001d, 0x0017, 0x0018] // x25519, secp256r1, secp384r1
const SIGALGS = [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0201, 0x0203]

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff]
}

function list16(items: number[]): number[] {
  return [...u16(items.length * 2), ...items.flatMap(u16)]
}

function ext(type: number, data: number[]): number[] {
  return [...u16(type), ...u16(data.length), ...data]
}

/** Where the hello's 32-byte random lies: after the record header (5), the handshake header (4)
 *  and the version (2). */
const RANDOM_AT = 11

/** The hello with a zero random, built once. */
const HELLO = ((): Buffer => {
  const extensions = [
    ...ext(0x000a, [...u16(GROUPS.length * 2), ...GROUPS.flatMap(u16)]), // supported_groups
    ...ext(0x000b, [1, 0]), // ec_point_formats: uncompressed
    ...ext(0x000d, list16(SIGALGS)), // signature_algorithms
    ...ext(0x0017, []), // extended_master_secret
  ]
  const body = [
    0x03, 0x03, // TLS 1.2
    ...new Array<number>(32).fill(0), // random, filled per hello
    0, // no session id
    ...list16(SUITES),
    1, 0, // compression: null
    ...u16(extensions.length), ...extensions,
  ]
  const handshake = [1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff, ...body]
  return Buffer.from([0x16, 0x03, 0x01, ...u16(handshake.length), ...handshake])
})()

/** A fresh ClientHello record: a copy of the one built at load, with a new random (its first four
 *  bytes the time, as TLS 1.2 clients write it). */
export function clientHello(): Buffer {
  const h = Buffer.from(HELLO)
  const random = h.subarray(RANDOM_AT, RANDOM_AT + 32)
  randomFillSync(random)
  random.writeUInt32BE(Math.floor(Date.now() / 1000), 0)
  return h
}

const UP: CheckOutcome = { status: 'L6OK' }
const NOT_TLS: CheckOutcome = { status: 'L6RSP' }
/** Closed or reset before a byte of answer: HAProxy's words for its step 2 (the expect). */
const EMPTY: CheckOutcome = { status: 'L6RSP', info: 'TCPCHK got an empty response at step 2' }

/** Reads the answer to the hello (CheckRun.expect's test): a TLS record of at least 5 bytes. */
function helloAnswer(buf: Buffer, last: boolean): CheckOutcome | boolean {
  if (last && buf.length === 0) return EMPTY
  if (!last && buf.length < 5) return false
  if (buf.length >= 5 && (buf[0] === 0x16 || buf[0] === 0x15)) return true
  return NOT_TLS
}

export const sslHelloCheck: CheckKind = {
  name: 'ssl-hello',
  async run(t) {
    const c = await t.connect()
    c.send(clientHello())
    try {
      await t.expect(c, helloAnswer, 'L6TOUT')
    } catch (e) {
      // A reset before any answer is an empty response too (the server closed on the hello).
      if (e instanceof CheckEnd && e.outcome.status === 'SOCKERR' && c.buf.length === 0) throw new CheckEnd(EMPTY)
      throw e
    }
    return UP
  },
}
