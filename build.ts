/**
 * Builds ./edgelb: one self-contained executable (Bun's runtime + edgelb's code as bytecode).
 * `npm run build` runs this. The version (package.json) and git commit are embedded.
 * Never `strip` the result: that drops the embedded program and leaves a plain `bun`.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }
const git = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' })
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' })
const commit = git.status === 0 ? git.stdout.trim() + (dirty.stdout.trim() !== '' ? '-dirty' : '') : 'unknown'
const outfile = process.argv[2] ?? 'edgelb'

const args = [
  // The threads of `nbthread` (src/cli/threads.ts) start this second entry point.
  'build', 'src/main.ts', 'src/cli/worker.ts',
  '--compile', '--minify', '--bytecode',
  '--outfile', outfile,
  '--define', `EDGELB_VERSION=${JSON.stringify(pkg.version)}`,
  '--define', `EDGELB_COMMIT=${JSON.stringify(commit)}`,
]
const r = spawnSync(process.execPath, args, { stdio: 'inherit' })
if (r.status !== 0) {
  console.error(`build failed (bun build exited ${r.status ?? r.signal})`)
  process.exit(1)
}
console.log(`built ./${outfile}: edgelb ${pkg.version} (commit ${commit})`)
