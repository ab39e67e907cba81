/**
 * Loads configuration files: reads them safely (missing, directory, unreadable, binary, empty and
 * oversized files each get one clear line), picks the reader by extension (.yaml/.yml → YAML,
 * anything else → HAProxy syntax), and builds one model from all of them in order, as HAProxy
 * does with several `-f` options. A directory given with `-f` loads its `*.cfg` files in name order.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { buildConfig, type BuildOptions, type BuildResult } from './build.ts'
import { readHaproxy } from './haproxy/reader.ts'
import type { Env } from './haproxy/tokenizer.ts'
import { sortDiagnostics, type Diagnostic, type ReadResult, type SectionSource } from '../model/source.ts'
import { readYaml } from './yaml/reader.ts'

/** Larger configs are refused: no hand-written or generated config comes near this, and reading
 *  one would only delay a mistake (a log file or a binary passed by error). */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024

export type ConfigFormat = 'yaml' | 'haproxy'

export function formatOf(path: string): ConfigFormat {
  return /\.ya?ml$/i.test(path) ? 'yaml' : 'haproxy'
}

export interface LoadResult extends Omit<BuildResult, 'unimplemented'> {
  /** Sections as read, for `convert`. */
  sections: SectionSource[]
  /** As BuildResult's; undefined when a file could not be read (nothing to count). */
  unimplemented: BuildResult['unimplemented'] | undefined
}

/** Expands directories (their `*.cfg`, `*.yaml`, `*.yml` in name order). Unreadable paths are
 *  kept so that readText reports them. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = []
  for (const p of paths) {
    let isDir = false
    try { isDir = statSync(p).isDirectory() } catch { /* reported by readText */ }
    if (!isDir) { out.push(p); continue }
    const entries = readdirSync(p).filter((f) => /\.(cfg|ya?ml)$/.test(f)).sort()
    for (const f of entries) out.push(join(p, f))
  }
  return out
}

/** Reads at most `limit` bytes; undefined when there is more. Works for files, pipes and devices. */
function readAtMost(path: string, limit: number): Buffer | undefined {
  const fd = openSync(path, 'r')
  try {
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024)
      const n = readSync(fd, chunk, 0, chunk.length, null)
      if (n === 0) return Buffer.concat(chunks, total)
      total += n
      if (total > limit) return undefined
      chunks.push(chunk.subarray(0, n))
    }
  } finally {
    closeSync(fd)
  }
}

/** Reads a config file's text, or returns the one-line reason it cannot be a config. */
export function readText(path: string): { text: string } | { error: string } {
  let st
  try {
    st = statSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { error: `no such file` }
    if (code === 'ENOTDIR') return { error: `no such file (a part of the path is a file, not a directory)` }
    if (code === 'EACCES') return { error: `permission denied` }
    if (code === 'ENAMETOOLONG') return { error: `file name too long` }
    if (code === 'ELOOP') return { error: `too many symbolic links in the path` }
    return { error: `cannot read (${code ?? String(e)})` }
  }
  if (st.isDirectory()) return { error: `is a directory; give a config file (or use -f DIR to load its *.cfg files)` }
  if (st.size > MAX_CONFIG_BYTES) {
    return { error: `file is ${(st.size / 1048576).toFixed(1)} MB; edgelb reads configs up to ${MAX_CONFIG_BYTES / 1048576} MB (is this the right file?)` }
  }
  let buf: Buffer | undefined
  try {
    buf = readAtMost(path, MAX_CONFIG_BYTES)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EACCES') return { error: `permission denied` }
    return { error: `cannot read (${code ?? String(e)})` }
  }
  // A device or a pipe has no size to check beforehand (`/dev/zero` never ends).
  if (buf === undefined) return { error: `more than ${MAX_CONFIG_BYTES / 1048576} MB to read; edgelb reads configs up to ${MAX_CONFIG_BYTES / 1048576} MB (is this the right file?)` }
  if (buf.includes(0)) return { error: `binary file (it contains NUL bytes); a config is text` }
  const text = buf.toString('utf8')
  if (text.includes('\uFFFD')) return { error: `not valid UTF-8 text; a config is text` }
  return { text }
}

/** Reads and builds. Never throws for a bad config: every problem is a diagnostic. */
export function loadConfig(paths: readonly string[], env: Env = process.env, options: BuildOptions = {}): LoadResult {
  const files = expandPaths(paths)
  const sections: SectionSource[] = []
  const diagnostics: Diagnostic[] = []
  let fatal = false
  for (const file of files) {
    const r = readText(file)
    if ('error' in r) {
      diagnostics.push({ severity: 'error', pos: { file, line: 0 }, message: r.error })
      fatal = true
      continue
    }
    if (r.text.trim() === '') {
      diagnostics.push({ severity: 'error', pos: { file, line: 1 }, message: `the file is empty; declare at least a frontend and a backend, or a listen section (see conf/edgelb.yaml)` })
      fatal = true
      continue
    }
    const read: ReadResult = formatOf(file) === 'yaml' ? readYaml(r.text, file, env) : readHaproxy(r.text, file, env)
    sections.push(...read.sections)
    diagnostics.push(...read.diagnostics)
  }
  if (files.length === 0) {
    diagnostics.push({ severity: 'error', pos: { file: paths[0] ?? '', line: 0 }, message: `no configuration file found in ${paths.join(', ')}` })
    fatal = true
  }
  const built = buildConfig(sections, files, options)
  // A file that could not be read at all makes the rest of the model meaningless. The readers'
  // problems and the builder's are told in reading order, together.
  return { config: built.config, diagnostics: sortDiagnostics(fatal ? diagnostics : [...diagnostics, ...built.diagnostics], files), runtime: built.runtime, unimplemented: fatal ? undefined : built.unimplemented, sections }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error')
}
