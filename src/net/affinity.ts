/**
 * `cpu-map`: the calling thread bound to CPUs (sched_setaffinity(2) through the C library: the
 * runtime has no API for it). Each thread of `nbthread` calls it for itself, as HAProxy's threads
 * are each bound by the `cpu-map` line that names them.
 */
import { errnoName, loadLibc } from './bun-libc.ts'
import { runtimeName } from './runtime.ts'

/** Binds the calling thread to `cpus`; returns why it could not, or undefined once done. */
export async function bindThreadToCpus(cpus: readonly number[]): Promise<string | undefined> {
  if (runtimeName !== 'bun') return `CPU affinity needs Bun (this is ${runtimeName})`
  try {
    const libc = await loadLibc()
    if (libc.setAffinity(cpus) === 0) return undefined
    return `sched_setaffinity(${cpus.join(',')}): ${errnoName(libc.errno())}`
  } catch (e) {
    return (e as Error).message
  }
}
