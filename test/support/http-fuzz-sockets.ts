/**
 * The fuzzer's real-socket half: mutated chunked uploads (test/support/http-fuzz.ts `makeBody`)
 * sent through a running edgelb to a raw server, whose received bytes are compared with what the
 * strict reference forwards of each (`referenceChunkedOut`): exactly the head and the canonical
 * body for a body accepted; for one refused or cut short, at most what was valid before the fault.
 * One upload at a time on its own client connection; the case's number is in its URI.
 */
import { cfg, connectClient, startLb, startServer, until } from './harness.ts'
import { makeBody, referenceChunkedOut, rng, SOCKET_HEAD } from './http-fuzz.ts'

export interface SocketFuzzResult {
  cases: number
  accepted: number
  refused: number
  incomplete: number
  /** Each case whose bytes at the server differ from the reference's, described. */
  problems: string[]
  ms: number
}

/** edgelb's default trailer bound (http/chunked.ts). */
const MAX_TRAILERS = 16384

export async function fuzzThroughEdgelb(options: { cases: number; seed: number }): Promise<SocketFuzzResult> {
  const r = rng(options.seed)
  const res: SocketFuzzResult = { cases: 0, accepted: 0, refused: 0, incomplete: 0, problems: [], ms: 0 }
  await using server = startServer('fuzz', 'manual')
  let expected = ''
  let answerAt = Infinity
  server.onAccept = (c) => {
    c.onData = (cc) => { if (cc.received >= answerAt) void cc.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') }
  }
  await using lb = await startLb(cfg`
    listen fuzz
      bind 127.0.0.1:0
      mode http
      timeout connect 5s
      timeout client 5s
      timeout server 5s
      http-reuse never
      server s 127.0.0.1:${server.port}
  `)
  const t0 = performance.now()
  for (let i = 0; i < options.cases; i++) {
    const head = SOCKET_HEAD.replace('/f ', `/f${i} `)
    const body = makeBody(r)
    const ref = referenceChunkedOut(body, MAX_TRAILERS)
    expected = head + ref.canon
    answerAt = ref.o.kind === 'done' ? Buffer.byteLength(expected, 'latin1') : Infinity
    const first = server.conns.length
    res.cases++
    if (ref.o.kind === 'done') res.accepted++
    else if (ref.o.kind === 'error') res.refused++
    else res.incomplete++
    {
      using c = await connectClient(lb.port())
      await c.write(Buffer.from(head + body, 'latin1'))
      c.shutdown()
      await c.changed.until(() => c.eof || c.closed, `edgelb to end case ${i}`, 10_000)
      // The session is over once no session remains, and its server connections closed (or,
      // for a body accepted, answered: the connection may then be kept for reuse).
      const settled = (): boolean => server.conns.slice(first).every((s) => s.closed || s.received >= answerAt)
      await until(() => lb.sessions().length === 0 && settled(), `case ${i}'s connections to close`, 10_000)
      const got = server.conns.slice(first).map((s) => s.bytes().toString('latin1')).join('')
      const answer = c.text()
      const rest = ref.o.kind === 'done' && 'end' in ref.o && ref.o.end < body.length
      const wrong =
        ref.o.kind === 'done' ? (rest ? !got.startsWith(expected) : got !== expected) || !answer.startsWith('HTTP/1.1 200 ')
        : ref.o.kind === 'error' ? !expected.startsWith(got) || !answer.startsWith('HTTP/1.1 400 ')
        : !expected.startsWith(got) || answer.startsWith('HTTP/1.1 200 ')
      if (wrong) res.problems.push(`case ${i} (${ref.o.kind}) ${JSON.stringify(body.slice(0, 200))}: server got ${JSON.stringify(got.slice(head.length, head.length + 200))}, reference ${JSON.stringify(ref.canon.slice(0, 200))}; client got ${JSON.stringify(answer.slice(0, 40))}`)
    }
  }
  res.ms = performance.now() - t0
  return res
}
