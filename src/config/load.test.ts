import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from './load.ts'
import { formatDiagnostic } from '../model/source.ts'

const dir = mkdtempSync(join(tmpdir(), 'edgelb-load-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test("the readers' problems and the builder's are told together, in reading order", () => {
  const file = join(dir, 'mixed.yaml')
  writeFileSync(file, `defaults:
  timeout: { connect: 5s, client: 5s, sever: 5s }
global:
  maxconn: 1
  maxconn: 2
backends:
  app:
    servers: { a: 10.0.0.1:80 chek }
`)
  expect(loadConfig([file], {}).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([
    `${file}:2: error: unknown keyword 'timeout sever'; did you mean 'timeout server'?`,
    `${file}:5: error: duplicate key 'global.maxconn' (first at line 4); write the key once and give several values as a list`,
    `${file}:8: error: unknown server option 'chek'; did you mean 'check'?`,
  ])
})
