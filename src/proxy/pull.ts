/**
 * The pull path of both session kinds: bodies and tunnels read a buffer at a time.
 *
 * The runtime's reader reads up to 512 KB at once into a new Buffer, which waits in memory until
 * the other side took it: for a slow client (or server), most of that read, for as long as it
 * takes; and each such read is garbage once sent. So where the bytes read are not kept beyond
 * their writing, on clear-text connections, a session reads them itself: after each chunk the
 * runtime delivers, the reading side is paused and read (`readInto`) a `tune.bufsize` at a time
 * into the session's own buffer, while the other side takes all it is sent. Then:
 *   the other side is full  --> stay paused; its drain reads on
 *   nothing more has come   --> the runtime's reader resumes (it reports what comes next, the FIN)
 *   PULLS_MAX reads made    --> the loop goes on at the next turn of the event loop (`nextTurn`),
 *                               so that other sessions get theirs
 * What a session holds is then its buffer and what one runtime read brought: HAProxy's bound of
 * a buffer per side.
 *
 * Bodies are always pulled. Tunnels (mode tcp, upgraded connections) only once a side did not
 * take a write whole, or `option splice-*` asks for the kernel's pipe: while both sides keep up,
 * the runtime's reads cost less CPU than a paused socket read a buffer at a time
 * (bench/suite.ts, tcp keep-alive: 11.9 µs per request pushed, 20.6 pulled).
 */

/** Reads of one pull loop before it yields to the event loop. */
export const PULLS_MAX = 16

/** A session with pull loops that may wait for their next turn. */
export interface Puller {
  /** Its turn came (`nextTurn`): the loops that used up theirs go on. */
  pullTurn(): void
}

let turns: Puller[] = []
let spareTurns: Puller[] = []
let turnsScheduled = false

/** `s` used up its turn: taken up again, with every other such session, on the next turn of the
 *  event loop (one callback for all, no closure per session). */
export function nextTurn(s: Puller): void {
  turns.push(s)
  if (turnsScheduled) return
  turnsScheduled = true
  setImmediate(runTurns)
}

function runTurns(): void {
  turnsScheduled = false
  const list = turns
  turns = spareTurns
  spareTurns = list
  for (let i = 0; i < list.length; i++) list[i]!.pullTurn()
  list.length = 0
}
