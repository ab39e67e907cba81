import { describe, expect, test } from 'bun:test'
import { buildConfig } from '../config/build.ts'
import { readHaproxy } from '../config/haproxy/reader.ts'
import { formatDiagnostic } from '../model/source.ts'
import { selfCommand } from '../net/runtime.ts'
import { programArgv, startPrograms } from './programs.ts'

function build(text: string): { programs: { name: string; command: string[] }[]; diags: string[] } {
  const read = readHaproxy(text, 'p.cfg')
  const b = buildConfig(read.sections, ['p.cfg'])
  return { programs: b.config.programs.map((p) => ({ name: p.name, command: p.command })), diags: [...read.diagnostics, ...b.diagnostics].map(formatDiagnostic).filter((l) => !l.includes('no frontend or listen section')) }
}

describe('program sections', () => {
  test('are built with their command words', () => {
    const r = build('program demo1\n    command edgelb serve 127.0.0.1:9001 --name "demo 1"\n    option start-on-reload\n')
    expect(r.programs).toEqual([{ name: 'demo1', command: ['edgelb', 'serve', '127.0.0.1:9001', '--name', 'demo 1'] }])
    expect(r.diags).toEqual([])
  })

  test('without a command, twice, or with an unknown keyword, are errors at their line', () => {
    expect(build('program a\n    user nobody\n').diags).toEqual([
      "p.cfg:1: error: program 'a' has no 'command'; write: command PROGRAM [ARGS...]",
      "p.cfg:2: warning: 'user' in a program section is parsed but not implemented yet; the program runs as edgelb's own user",
    ])
    expect(build('program a\n    command /bin/true\nprogram a\n    command /bin/true\n').diags).toEqual(["p.cfg:3: error: program 'a' is declared twice"])
    expect(build('program a\n    command /bin/true\n    restart always\n').diags).toEqual([
      "p.cfg:3: error: unknown keyword 'restart' in a program section; known: command, user, group, option start-on-reload",
    ])
  })

  test("'edgelb' as the command runs this same edgelb; anything else runs as written", () => {
    expect(programArgv(['edgelb', 'serve', ':9001'])).toEqual([...selfCommand(), 'serve', ':9001'])
    expect(programArgv(['/bin/sleep', '1'])).toEqual(['/bin/sleep', '1'])
  })

  test('a command that cannot start is an error naming it', async () => {
    const lines: string[] = []
    await expect(startPrograms([{ name: 'x', command: ['/nonexistent/prog'], pos: { file: 'p.cfg', line: 1 } }], (l) => lines.push(l))).rejects.toThrow('cannot start program x (/nonexistent/prog): ')
  })

  test('programs are stopped by stop(), and one that exits early is reported', async () => {
    const lines: string[] = []
    const running = await startPrograms([
      { name: 'sleeper', command: ['/bin/sleep', '30'], pos: { file: 'p.cfg', line: 1 } },
      { name: 'quick', command: ['/bin/true'], pos: { file: 'p.cfg', line: 3 } },
    ], (l) => lines.push(l))
    const t0 = performance.now()
    while (lines.length === 0 && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10))
    expect(lines).toEqual(['edgelb: program quick exited (status 0); it is not restarted'])
    await running.stop()
    expect(performance.now() - t0).toBeLessThan(3000)
  })
})
