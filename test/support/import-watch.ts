/**
 * Preloaded into an edgelb subprocess (`bun --preload`): when the process exits, prints on stderr
 * `import-watch: N` and one `import-watch: PATH` line per module loaded from `@opentelemetry/`,
 * so a test sees whether the SDK was loaded at all.
 */
process.on('exit', () => {
  const loaded = Object.keys(require.cache).filter((k) => k.includes('/@opentelemetry/'))
  process.stderr.write(`import-watch: ${loaded.length}\n${loaded.map((k) => `import-watch: ${k}\n`).join('')}`)
})
