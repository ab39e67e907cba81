/**
 * The default check: a TCP connection that opens is a server that is up (L4OK; L6OK when the
 * check speaks TLS, `check-ssl`, and the handshake succeeded). Refused or unreachable: L4CON
 * with the system's words; no answer before the deadline: L4TOUT.
 */
import type { CheckOutcome } from './status.ts'
import type { CheckKind } from './types.ts'

const UP: CheckOutcome = { status: 'L4OK' }
const UP_TLS: CheckOutcome = { status: 'L6OK' }

export const tcpCheck: CheckKind = {
  name: 'tcp',
  async run(t) {
    await t.connect()
    return t.server.checkTls !== null ? UP_TLS : UP
  },
}
