export type SignalName = 'SIGUSR1' | 'SIGUSR2' | 'SIGTTOU' | 'SIGTTIN' | 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGQUIT' | 'SIGURG'

/** Installs a signal handler with `process` (both runtimes have it); returns a function that
 *  removes it. */
export function onProcessSignal(name: SignalName, fn: () => void): () => void {
  process.on(name, fn)
  return () => { process.off(name, fn) }
}
