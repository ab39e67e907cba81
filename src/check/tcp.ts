/**
 * The default check: a TCP connection that opens is a server that is up (L4OK). Refused or
 * unreachable: L4CON with the system's words; no answer before the deadline: L4TOUT.
 */
import type { CheckKind } from './types.ts'

export const tcpCheck: CheckKind = {
  name: 'tcp',
  async run(t) {
    await t.connect()
    return { status: 'L4OK' }
  },
}
