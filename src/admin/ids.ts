/**
 * The numbers HAProxy gives proxies and servers (src/proxy/stats.ts, which the stats page shares).
 */
export { proxyIds } from '../proxy/stats.ts'
