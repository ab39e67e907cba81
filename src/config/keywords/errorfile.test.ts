import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig } from '../build.ts'
import { readHaproxy } from '../haproxy/reader.ts'
import { formatDiagnostic } from '../../model/source.ts'

function check(text: string): string[] {
  const read = readHaproxy(text, 'e.cfg')
  const built = buildConfig(read.sections, ['e.cfg'])
  return [...read.diagnostics, ...built.diagnostics].map(formatDiagnostic).filter((l) => l.includes('errorfile'))
}

describe('errorfile', () => {
  test('a missing file is refused with its line; a status edgelb never answers is ignored with a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-errorfile-'))
    try {
      const page = join(dir, '503.http')
      writeFileSync(page, 'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n')
      const base = 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nlisten web\n  bind :8080\n'
      expect(check(base + `  errorfile 503 ${page}\n`)).toEqual([])
      expect(check(base + `  errorfile 503 ${join(dir, 'missing.http')}\n`)).toEqual([
        `e.cfg:8: error: errorfile 503: cannot read '${join(dir, 'missing.http')}' (ENOENT); give the path of a file holding a whole HTTP response`,
      ])
      const [warning] = check(base + `  errorfile 418 ${page}\n`)
      expect(warning).toStartWith(`e.cfg:8: warning: edgelb never answers 418 itself, so 'errorfile 418' is ignored; statuses it answers: 200, 400,`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
