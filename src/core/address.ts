/**
 * Addresses as people read them. The runtime reports an IPv4 client of a dual-stack listener as
 * an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`); logs and headers show it as `10.0.0.1`.
 */
export function plainAddress(addr: string): string {
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr
}
