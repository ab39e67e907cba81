/**
 * The default check: a TCP connection that opens is a server that is up (L4OK). Refused or
 * unreachable: L4CON with the system's words; no answer before the deadline: L4TOUT.
 */
import type { CheckOutcome } from './status.ts'
import type { CheckKind } from './types.ts'

const UP: CheckOutcome = { status: 'L4OK' }

export const tcpCheck: CheckKind = {
  name: 'tcp',
  async run(t) {
    await t.connect()
    return UP
  },
}
