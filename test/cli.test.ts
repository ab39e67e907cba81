/**
 * The `edgelb` command line as a user meets it: a real process (`bun src/main.ts …`) on real
 * files in a temporary directory. Exit codes are 0 valid, 1 invalid, 2 usage; every problem is one
 * `FILE:LINE: severity: message` line; bad input never shows a stack trace.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BUN = join(ROOT, 'node_modules/.bin/bun')
const MAIN = join(ROOT, 'src/main.ts')
const DIR = mkdtempSync(join(tmpdir(), 'edgelb-cli-'))
chmodSync(DIR, 0o755) // an unprivileged user must reach it (see the permission test)
afterAll(() => rmSync(DIR, { recursive: true, force: true }))

interface Run { code: number | null; out: string; err: string; errLines: string[] }

/** Runs edgelb in DIR, bounded in time. `prefix` runs it through another command (setpriv). */
function edgelb(args: string[], options: { prefix?: string[] } = {}): Run {
  const r = Bun.spawnSync([...(options.prefix ?? []), BUN, MAIN, ...args], { cwd: DIR, env: { ...process.env, NO_COLOR: '1' }, timeout: 15_000, stdout: 'pipe', stderr: 'pipe' })
  const err = r.stderr.toString()
  return { code: r.exitCode, out: r.stdout.toString(), err, errLines: err.split('\n').filter((l) => l !== '') }
}

/** The same, without blocking: for many runs at once. */
async function edgelbAsync(args: string[]): Promise<Run> {
  const p = Bun.spawn([BUN, MAIN, ...args], { cwd: DIR, env: { ...process.env, NO_COLOR: '1' }, timeout: 15_000, stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  return { code, out, err, errLines: err.split('\n').filter((l) => l !== '') }
}

function write(name: string, text: string | Uint8Array): string {
  writeFileSync(join(DIR, name), text)
  return name
}

/** No JavaScript stack frame, no uncaught error name: what a user must never see. */
function expectNoStackTrace(r: Run): void {
  expect(r.err).not.toMatch(/^\s+at /m)
  expect(r.err).not.toMatch(/\b(TypeError|RangeError|ReferenceError|SyntaxError|ConfigError)\b/)
  expect(r.out).not.toMatch(/^\s+at /m)
}

const TIMEOUTS = `defaults
  timeout connect 5s
  timeout client 30s
  timeout server 30s
`
const VALID = TIMEOUTS + `frontend www
  bind 127.0.0.1:8080
  default_backend app
backend app
  server a 127.0.0.1:9001
`
const TYPO = TIMEOUTS + `listen web
  bind :8080
  balence roundrobin
  server a 127.0.0.1:9001
`

describe('edgelb check', () => {
  test('a valid configuration: exit 0, one summary line on stdout, nothing on stderr', () => {
    const r = edgelb(['check', write('valid.cfg', VALID)])
    expect([r.code, r.out, r.err]).toEqual([0, 'valid.cfg: valid\nvalid.cfg: every line is implemented\n', ''])
  })

  test('a misspelled keyword: exit 1, FILE:LINE: error with a suggestion, then the summary', () => {
    const r = edgelb(['check', write('typo.cfg', TYPO)])
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.errLines).toEqual([`typo.cfg:7: error: unknown keyword 'balence'; did you mean 'balance'?`, 'typo.cfg: invalid (1 error, 0 warnings)', 'typo.cfg: every line is implemented'])
  })

  test('warnings alone keep the configuration valid', () => {
    const r = edgelb(['check', write('warn.cfg', 'listen web\n  bind :8080\n  contimeout 5s\n  server a 127.0.0.1:9001\n')])
    expect(r.code).toBe(0)
    expect(r.errLines).toEqual([
      `warn.cfg:1: warning: missing timeouts for listen 'web': 'timeout client', 'timeout server'; without them a dead peer holds a session forever (set them in 'defaults')`,
      `warn.cfg:3: warning: 'contimeout' is a 1.x keyword; edgelb reads it as 'timeout connect 5s' (write that instead)`,
    ])
    expect(r.out).toBe('warn.cfg: valid (2 warnings)\nwarn.cfg: every line is implemented\n')
  })

  test('every problem of a file is reported at once, in line order', () => {
    const r = edgelb(['check', write('many.cfg', TIMEOUTS + 'frontend www\n  bind :80\n  default_backend ap\n  server x 1.2.3.4:80\nbackend app\n  server a 10.0.0.1:80 weight 300\n  option httpclos\n')])
    expect(r.code).toBe(1)
    expect(r.errLines).toEqual([
      `many.cfg:5: error: default_backend 'ap': no backend or listen section has that name; did you mean 'app'?`,
      `many.cfg:8: error: 'server' is not allowed in a frontend section; it belongs in: backend, listen`,
      `many.cfg:10: error: 'weight' must be between 0 and 256, got 300`,
      `many.cfg:11: error: unknown option 'httpclos'; did you mean 'httpclose'?`,
      `many.cfg:9: warning: backend 'app' has no server: every request to it fails (503 in http mode); add 'server NAME ADDRESS:PORT'`,
      'many.cfg: invalid (4 errors, 1 warning)',
      'many.cfg: every line is implemented',
    ].sort((a, b) => (Number(a.split(':')[1]) || 99) - (Number(b.split(':')[1]) || 99)))
  })

  test('health checks are compiled as edgelb run compiles them: a bad check line or track is FILE:LINE', () => {
    const r = edgelb(['check', write('checks.cfg', TIMEOUTS + `backend app
  option tcp-check
  tcp-check send-binary 0g
  server a 10.0.0.1:80 check
  server b 10.0.0.2:80
  server c 10.0.0.3:80 track b
`)])
    expect(r.code).toBe(1)
    expect(r.errLines).toEqual([
      `checks.cfg:7: error: 'tcp-check send-binary' expects an even number of hex digits, got '0g'`,
      `checks.cfg:10: error: server 'c': unable to use app/b for tracking as it does not have any check nor agent enabled`,
      'checks.cfg: invalid (2 errors, 0 warnings)',
      'checks.cfg: every line is implemented',
    ])
  })

  test('-q prints errors only', () => {
    const r = edgelb(['check', '-q', write('warn-typo.cfg', 'listen web\n  bind :8080\n  balence roundrobin\n')])
    expect([r.code, r.out, r.errLines]).toEqual([1, '', [`warn-typo.cfg:3: error: unknown keyword 'balence'; did you mean 'balance'?`]])
  })

  test('a YAML file is checked by its extension', () => {
    const r = edgelb(['check', write('valid.yaml', 'defaults:\n  timeout: { connect: 5s, client: 30s, server: 30s }\nlisten:\n  web:\n    bind: 127.0.0.1:8080\n    servers:\n      a: { address: 127.0.0.1:9001 }\n')])
    expect([r.code, r.out, r.err]).toEqual([0, 'valid.yaml: valid\nvalid.yaml: every line is implemented\n', ''])
  })

  test('usage errors exit 2', () => {
    for (const args of [['check'], ['check', '--bogus', 'valid.cfg'], ['frobnicate'], ['convert'], ['convert', 'a.cfg', 'b.cfg'], ['convert', 'valid.yaml'], ['-x'], ['-f'], ['-c'], ['help', 'nope']]) {
      const r = edgelb(args)
      expect([args, r.code]).toEqual([args, 2])
      expect(r.err).toMatch(/^edgelb/)
      expectNoStackTrace(r)
    }
  })
})

describe('help and version', () => {
  test('--help on every command prints its usage on stdout and exits 0', () => {
    for (const name of ['run', 'check', 'convert', 'version']) {
      const r = edgelb([name, '--help'])
      if (name === 'version') {
        // `version` takes no option; it prints the version whatever follows.
        expect(r.code).toBe(0)
        continue
      }
      expect([name, r.code, r.err]).toEqual([name, 0, ''])
      expect(r.out.startsWith(`usage: edgelb ${name}`)).toBe(true)
    }
  })

  test('`help COMMAND` prints the same as `COMMAND --help`', () => {
    for (const name of ['run', 'check', 'convert']) {
      expect(edgelb(['help', name]).out).toBe(edgelb([name, '--help']).out)
    }
    expect(edgelb(['help', 'check']).out).toContain('exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error')
  })

  test('`help` and `--help` list every command', () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const r = edgelb(args)
      expect(r.code).toBe(0)
      for (const name of ['run', 'check', 'convert', 'version', 'help']) expect(r.out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'))
    }
  })

  test('version, --version and -v print `edgelb X.Y.Z (commit …)`', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    for (const args of [['version'], ['--version'], ['-v']]) {
      const r = edgelb(args)
      expect([args, r.code, r.err]).toEqual([args, 0, ''])
      expect(r.out).toMatch(/^edgelb \d+\.\d+\.\d+ \(commit [0-9a-z]+\)\n$/)
      expect(r.out.startsWith(`edgelb ${pkg.version} `)).toBe(true)
    }
  })
})

describe('HAProxy flags', () => {
  test('-c -f FILE checks like `edgelb check FILE`', () => {
    for (const file of ['valid.cfg', 'typo.cfg']) {
      write('valid.cfg', VALID)
      write('typo.cfg', TYPO)
      const a = edgelb(['-c', '-f', file])
      const b = edgelb(['check', file])
      expect([a.code, a.out, a.err]).toEqual([b.code, b.out, b.err])
    }
  })

  test('-f with a directory loads its *.cfg files in name order', () => {
    mkdirSync(join(DIR, 'conf.d'), { recursive: true })
    // 10-defaults.cfg must come first: if it did not, both proxies would lack their timeouts.
    write('conf.d/20-web.cfg', 'frontend www\n  bind 127.0.0.1:8080\n  default_backend app\n')
    write('conf.d/10-defaults.cfg', TIMEOUTS)
    write('conf.d/30-app.cfg', 'backend app\n  server a 127.0.0.1:9001\n')
    write('conf.d/README.txt', 'not a config\n')
    const r = edgelb(['-c', '-f', 'conf.d'])
    expect([r.code, r.out, r.err]).toEqual([0, 'conf.d: valid\nconf.d: every line is implemented\n', ''])

    // Positions name the file they come from.
    write('conf.d/30-app.cfg', 'backend app\n  server a 127.0.0.1:9001\n  balence roundrobin\n')
    const bad = edgelb(['-c', '-f', 'conf.d'])
    expect([bad.code, bad.errLines]).toEqual([1, [`conf.d/30-app.cfg:3: error: unknown keyword 'balence'; did you mean 'balance'?`, 'conf.d: invalid (1 error, 0 warnings)', 'conf.d: every line is implemented']])
  })

  test('several -f options load in order', () => {
    write('defaults.cfg', TIMEOUTS)
    write('web.cfg', 'listen web\n  bind 127.0.0.1:8080\n  server a 127.0.0.1:9001\n')
    expect(edgelb(['-c', '-f', 'defaults.cfg', '-f', 'web.cfg']).code).toBe(0)
    const reversed = edgelb(['-c', '-f', 'web.cfg', '-f', 'defaults.cfg'])
    expect(reversed.code).toBe(0)
    expect(reversed.errLines[0]).toStartWith(`web.cfg:1: warning: missing timeouts for listen 'web'`)
  })

  test('-d, -db, -p and -L are accepted with -c', () => {
    expect(edgelb(['-d', '-db', '-p', 'edgelb.pid', '-L', 'peer1', '-c', '-f', write('valid.cfg', VALID)]).code).toBe(0)
  })

  test('HAProxy debugging flags (-dM, -dV, -dW, -dr, -dM0x55) are accepted and change nothing', () => {
    const r = edgelb(['-dM', '-dV', '-dW', '-dr', '-dM0x55', '-c', '-f', write('valid.cfg', VALID)])
    expect([r.code, r.out, r.err]).toEqual([0, 'valid.cfg: valid\nvalid.cfg: every line is implemented\n', ''])
  })

  test("-S: HAProxy's master CLI: show proc, @1 and @!PID reach the runtime API, another target is refused, reload reloads", async () => {
    const sock = join(DIR, 'master.sock')
    const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const port = l.port
    l.stop(true)
    const file = write('master.cfg', TIMEOUTS + `listen web\n  bind 127.0.0.1:${port}\n  mode http\n  http-request return status 200 hdr x-gen one\n`)
    const p = Bun.spawn([BUN, MAIN, '-W', '-S', `${sock},mode,600`, '-f', file], { cwd: DIR, env: { ...process.env, NO_COLOR: '1' }, stdout: 'ignore', stderr: 'pipe', timeout: 15_000 })
    const ask = async (text: string): Promise<string> => {
      let out = ''
      const done = Promise.withResolvers<void>()
      const c = await Bun.connect({ unix: sock, socket: { data(_s, d) { out += d.toString() }, close() { done.resolve() }, error() { done.resolve() } } })
      c.write(text)
      await done.promise
      return out
    }
    try {
      const deadline = Date.now() + 10_000
      while (!(await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false))) {
        if (Date.now() > deadline || p.exitCode !== null) throw new Error(`not serving: ${await new Response(p.stderr).text()}`)
        await Bun.sleep(20)
      }
      const proc = await ask('show proc\n')
      expect(proc).toMatch(new RegExp(`^#<PID> +<type> +<reloads> +<uptime> +<version> *\n${p.pid} +master +0 \\[failed: 0\\] .*\n# workers\n${p.pid} +worker +0 `))
      expect(await ask(`@1 show info; @!${p.pid} show info\n`)).toMatch(new RegExp(`^Name: edgelb\n[^]*\n\nName: edgelb\n[^]*Pid: ${p.pid}\n`))
      expect(await ask('@2 show info\n')).toBe("Can't find the target process!\n\n")
      expect(statSync(sock).mode & 0o777).toBe(0o600)
      writeFileSync(join(DIR, file), TIMEOUTS + `listen web\n  bind 127.0.0.1:${port}\n  mode http\n  http-request return status 200 hdr x-gen two\n`)
      await ask('reload\n')
      const until = Date.now() + 10_000
      while ((await fetch(`http://127.0.0.1:${port}/`)).headers.get('x-gen') !== 'two') {
        if (Date.now() > until) { p.kill('SIGKILL'); throw new Error(`not reloaded: ${await new Response(p.stderr).text()}`) }
        await Bun.sleep(20)
      }
      expect(await ask('show proc\n')).toMatch(new RegExp(`\n${p.pid} +worker +1 `))
      // -W: stopped by SIGINT, edgelb exits as HAProxy's master does, with 128 + 2.
      p.kill('SIGINT')
      expect(await p.exited).toBe(130)
    } finally {
      p.kill('SIGKILL')
      await p.exited
    }
  })

  test('-cc evaluates a condition as HAProxy 2.6 with edgelb\'s features: exit 0 true, 1 false, 2 error', () => {
    const cc = (expr: string) => { const r = edgelb(['-cc', expr]); return [r.code, r.out, r.err.trim()] }
    expect(cc('version_atleast(2.5-dev0)')).toEqual([0, '', ''])
    expect(cc('version_atleast(2.6-dev0) && !version_atleast(2.7-dev0)')).toEqual([0, '', ''])
    expect(cc('version_atleast(2.7-dev0)')).toEqual([1, '', ''])
    expect(cc('feature(OPENSSL)')).toEqual([0, '', ''])
    expect(cc('feature(LUA)')).toEqual([1, '', ''])
    expect(cc('defined(HOME) || 0')).toEqual([process.env.HOME === undefined ? 1 : 0, '', ''])
    expect(cc('nope(1)')).toEqual([2, '', "edgelb: unknown '-cc' function 'nope'; known: defined, streq, strneq, feature, version_atleast, version_before, strstr"])
    expect(edgelb(['-cc']).code).toBe(2)
  })
})

describe('edgelb convert', () => {
  test('prints YAML that checks valid and builds the same configuration', () => {
    const cfg = readFileSync(join(ROOT, 'conf/haproxy-example.cfg'), 'utf8')
    const r = edgelb(['convert', write('example.cfg', cfg)])
    expect([r.code, r.err]).toEqual([0, ''])
    expect(r.out).toContain('\nfrontends:\n  # The public side: HTTP on 127.0.0.1:8080.\n  web:\n')
    write('example.yaml', r.out)
    const cfgCheck = edgelb(['check', 'example.cfg'])
    const yamlCheck = edgelb(['check', 'example.yaml'])
    expect(yamlCheck.code).toBe(0)
    expect(yamlCheck.err.replaceAll('example.yaml', 'FILE').replace(/FILE:\d+:/g, 'FILE:')).toBe(cfgCheck.err.replaceAll('example.cfg', 'FILE').replace(/FILE:\d+:/g, 'FILE:'))
  })

  test('every guide configuration converts to YAML that checks with exit 0', async () => {
    const fixtures = [...new Bun.Glob('guide-*.cfg').scanSync({ cwd: join(ROOT, 'test/fixtures') })].sort()
    expect(fixtures).toHaveLength(21)
    const converted = await Promise.all(fixtures.map((f) => edgelbAsync(['convert', join(ROOT, 'test/fixtures', f)])))
    expect(converted.map((r, i) => [fixtures[i], r.code, r.err])).toEqual(fixtures.map((f) => [f, 0, '']))
    const yamls = fixtures.map((f, i) => write(f.replace(/\.cfg$/, '.yaml'), converted[i]!.out))
    const checked = await Promise.all([...yamls, ...fixtures.map((f) => join(ROOT, 'test/fixtures', f))].map((f) => edgelbAsync(['check', '-q', f])))
    expect(checked.map((r) => [r.code, r.err])).toEqual(checked.map(() => [0, '']))
  }, 30_000)

  test('a 1.x configuration converts to the modern forms, and both check complete', () => {
    const cfg = TIMEOUTS + `listen web
  bind 127.0.0.1:8080
  mode http
  reqadd X-Proto:\\ SSL
  rspidel ^Server:
  rsprep ^Set-Cookie:\\ (.*) Set-Cookie:\\ \\1;\\ Secure
  option forceclose
  server a 127.0.0.1:9001
  server a 127.0.0.1:9002
`
    const r = edgelb(['convert', write('old.cfg', cfg)])
    expect([r.code, r.err]).toEqual([0, ''])
    expect(r.out).toContain('    http-request: add-header X-Proto SSL\n')
    expect(r.out).toContain('    http-response: del-header Server\n')
    expect(r.out).toContain(`    rsprep: "'^Set-Cookie: (.*)' \\"Set-Cookie: \\\\\\\\1; Secure\\""\n`)
    expect(r.out).toContain('      a-2: 127.0.0.1:9002\n')
    write('old.yaml', r.out)
    for (const f of ['old.cfg', 'old.yaml']) {
      const c = edgelb(['check', f])
      expect([f, c.code, c.out.split('\n').at(-2)]).toEqual([f, 0, `${f}: every line is implemented`])
    }
    expect(edgelb(['check', 'old.yaml']).errLines.filter((l) => l.includes('1.x syntax'))).toEqual([
      expect.stringContaining("old.yaml:15: warning: 'rsprep' is HAProxy 1.x syntax"),
    ])
  })

  test('a file with syntax errors is not converted', () => {
    const r = edgelb(['convert', write('quote.cfg', 'listen web\n  bind ":80\n')])
    expect([r.code, r.out, r.errLines]).toEqual([1, '', ['quote.cfg:2: error: unbalanced double quote starting a word; close it with "']])
  })

  test('a missing file is one line', () => {
    const r = edgelb(['convert', 'missing.cfg'])
    expect([r.code, r.out, r.errLines]).toEqual([1, '', ['missing.cfg: error: no such file']])
  })
})

describe('bad input: one clear line, exit 1, never a stack trace', () => {
  /** Checks `file` and returns its error lines (the summary line left out). */
  function rejected(file: string, run: (args: string[]) => Run = (a) => edgelb(a)): string[] {
    const r = run(['check', file])
    expectNoStackTrace(r)
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    // A file that was read ends with the count of lines edgelb does not implement; one that could
    // not be read, with the invalid line.
    const lines = /: (every line is implemented|\d+ lines? not implemented yet.*)$/.test(r.errLines.at(-1) ?? '') ? r.errLines.slice(0, -1) : r.errLines
    expect(lines.at(-1)).toMatch(/: invalid \(\d+ errors?, \d+ warnings?\)$/)
    return lines.slice(0, -1).filter((l) => l.includes(': error: '))
  }

  test('an empty file', () => {
    expect(rejected(write('empty.cfg', ''))).toEqual(['empty.cfg:1: error: the file is empty; declare at least a frontend and a backend, or a listen section (see conf/edgelb.yaml)'])
    expect(rejected(write('blank.cfg', '\n  \n\t\n'))).toEqual(['blank.cfg:1: error: the file is empty; declare at least a frontend and a backend, or a listen section (see conf/edgelb.yaml)'])
  })

  test('a binary file', () => {
    expect(rejected(write('binary.cfg', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3])))).toEqual(['binary.cfg: error: binary file (it contains NUL bytes); a config is text'])
    expect(rejected(write('latin1.cfg', new Uint8Array([0x6c, 0x69, 0x73, 0x74, 0x65, 0x6e, 0x20, 0xe9, 0x0a])))).toEqual(['latin1.cfg: error: not valid UTF-8 text; a config is text'])
  })

  test('a 10 MB config', () => {
    const line = '# ' + 'x'.repeat(1021) + '\n'
    expect(rejected(write('huge.cfg', line.repeat(10 * 1024)))).toEqual(['huge.cfg: error: file is 10.0 MB; edgelb reads configs up to 8 MB (is this the right file?)'])
  })

  test('an endless device is read no further than the limit', () => {
    expect(rejected('/dev/zero')).toEqual(['/dev/zero: error: more than 8 MB to read; edgelb reads configs up to 8 MB (is this the right file?)'])
  })

  test('unbalanced quotes', () => {
    expect(rejected(write('unbalanced.cfg', TIMEOUTS + "listen web\n  bind :8080\n  acl x path 'abc\n  server a 127.0.0.1:9001\n"))).toEqual([
      "unbalanced.cfg:7: error: unbalanced single quote starting a word; close it with '",
    ])
  })

  test('a missing file', () => {
    expect(rejected('nope.cfg')).toEqual(['nope.cfg: error: no such file'])
  })

  test('a path through a file', () => {
    write('plain', 'x')
    expect(rejected('plain/edgelb.cfg')).toEqual(['plain/edgelb.cfg: error: no such file (a part of the path is a file, not a directory)'])
  })

  test('a symbolic link loop', () => {
    symlinkSync('loop-b.cfg', join(DIR, 'loop-a.cfg'))
    symlinkSync('loop-a.cfg', join(DIR, 'loop-b.cfg'))
    expect(rejected('loop-a.cfg')).toEqual(['loop-a.cfg: error: too many symbolic links in the path'])
  })

  test('a directory with no configuration in it', () => {
    mkdirSync(join(DIR, 'emptydir'))
    expect(rejected('emptydir')).toEqual(['emptydir: error: no configuration file found in emptydir'])
  })

  test('a directory given to convert', () => {
    mkdirSync(join(DIR, 'dir.cfg'))
    const r = edgelb(['convert', 'dir.cfg'])
    expectNoStackTrace(r)
    expect([r.code, r.errLines]).toEqual([1, ['dir.cfg: error: is a directory; give a config file (or use -f DIR to load its *.cfg files)']])
  })

  test('an unreadable file (chmod 000)', () => {
    chmodSync(join(DIR, write('secret.cfg', VALID)), 0o000)
    if (process.getuid?.() !== 0) {
      expect(rejected('secret.cfg')).toEqual(['secret.cfg: error: permission denied'])
      return
    }
    // Root reads through mode 000, so as root the file is simply valid...
    const asRoot = edgelb(['check', 'secret.cfg'])
    expect([asRoot.code, asRoot.out]).toEqual([0, 'secret.cfg: valid\nsecret.cfg: every line is implemented\n'])
    // ...and the refusal is checked as an unprivileged user (nobody), which chmod does stop.
    const asNobody = (args: string[]) => edgelb(args, { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] })
    expect(asNobody(['version']).code).toBe(0) // nobody can run edgelb here at all
    expect(rejected('secret.cfg', asNobody)).toEqual(['secret.cfg: error: permission denied'])
  })
})

describe('edgelb run refuses to start', () => {
  /** A port that was free a moment ago. */
  function freePort(): number {
    const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const port = l.port
    l.stop(true)
    return port
  }

  /** True when this process can listen on the port: edgelb left nothing bound there. */
  function canBind(port: number): boolean {
    try {
      Bun.listen({ hostname: '127.0.0.1', port, socket: { data() {} } }).stop(true)
      return true
    } catch {
      return false
    }
  }

  test('a configuration with an error: exit 1 without binding', () => {
    const port = freePort()
    const r = edgelb(['run', write('run-typo.cfg', TIMEOUTS + `listen web\n  bind 127.0.0.1:${port}\n  balence roundrobin\n  server a 127.0.0.1:9\n`)])
    expectNoStackTrace(r)
    expect(r.code).toBe(1)
    expect(r.errLines).toEqual([`run-typo.cfg:7: error: unknown keyword 'balence'; did you mean 'balance'?`, 'edgelb: not started: the configuration has errors'])
    expect(canBind(port)).toBe(true)
  })

  test('a port already taken: exit 1 naming the address, and the other ports released', () => {
    const taken = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    try {
      const before = freePort()
      const after = freePort()
      const r = edgelb(['run', write('run-taken.cfg', TIMEOUTS + `listen first
  bind 127.0.0.1:${before}
  server a 127.0.0.1:9
listen clash
  bind 127.0.0.1:${taken.port}
  server a 127.0.0.1:9
listen last
  bind 127.0.0.1:${after}
  server a 127.0.0.1:9
`)])
      expectNoStackTrace(r)
      expect(r.code).toBe(1)
      expect(r.errLines).toHaveLength(1)
      // The engine words the reason; the address must be in it.
      expect(r.errLines[0]).toStartWith('edgelb: not started: ')
      expect(r.errLines[0]).toContain(`127.0.0.1:${taken.port}`)
      expect([canBind(before), canBind(after)]).toEqual([true, true])
    } finally {
      taken.stop(true)
    }
  })

  test('no FILE and no conf/edgelb.yaml here is a usage error', () => {
    const r = edgelb(['run'])
    expect([r.code, r.errLines]).toEqual([2, ['edgelb run: no FILE given and conf/edgelb.yaml does not exist here; give a config file']])
  })
})

describe('edgelb run sets its runtime up before serving', () => {
  /** Starts `edgelb ARGS` with `env`, waits until it serves `port`, returns what /proc says of
   *  the very process spawned (same pid: the set-up replaces the process in place), then stops it. */
  async function servingProcess(args: string[], port: number, env: Record<string, string | undefined>): Promise<{ environ: string[]; cmdline: string[]; code: number | null }> {
    const p = Bun.spawn([BUN, MAIN, ...args], { cwd: DIR, env, stdout: 'ignore', stderr: 'pipe', timeout: 15_000 })
    try {
      const deadline = Date.now() + 10_000
      for (;;) {
        const up = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }).then((s) => { s.end(); return true }, () => false)
        if (up) break
        if (Date.now() > deadline || p.exitCode !== null) throw new Error(`not serving: ${await new Response(p.stderr).text()}`)
        await Bun.sleep(20)
      }
      const environ = readFileSync(`/proc/${p.pid}/environ`, 'latin1').split('\0')
      const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').split('\0').filter((a) => a !== '')
      p.kill('SIGTERM')
      return { environ, cmdline, code: await p.exited }
    } finally {
      p.kill('SIGKILL')
    }
  }

  function config(name: string): { file: string; port: number } {
    const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const port = l.port
    l.stop(true)
    return { file: write(name, TIMEOUTS + `listen web\n  bind 127.0.0.1:${port}\n  server a 127.0.0.1:9\n`), port }
  }

  const plainEnv = (): Record<string, string | undefined> => ({ ...process.env, BUN_GC_TIMER_INTERVAL: undefined, BUN_GC_TIMER_DISABLE: undefined })

  test('Bun\'s once-a-second collection timer is slowed to 30 s, in the process spawned (same pid, same arguments)', async () => {
    const { file, port } = config('runtime-run.cfg')
    const r = await servingProcess(['run', file], port, plainEnv())
    expect(r.environ).toContain('BUN_GC_TIMER_INTERVAL=30000')
    expect(r.cmdline.slice(-3)).toEqual([MAIN, 'run', file])
    expect(r.code).toBe(0)
  })

  test('the HAProxy form (-f FILE) is set up the same way', async () => {
    const { file, port } = config('runtime-f.cfg')
    const r = await servingProcess(['-f', file, '-db'], port, plainEnv())
    expect(r.environ).toContain('BUN_GC_TIMER_INTERVAL=30000')
    expect(r.cmdline.slice(-3)).toEqual(['-f', file, '-db'])
  })

  test('an operator\'s own BUN_GC_TIMER_INTERVAL or BUN_GC_TIMER_DISABLE is kept as given', async () => {
    const a = config('runtime-own.cfg')
    const own = await servingProcess(['run', a.file], a.port, { ...plainEnv(), BUN_GC_TIMER_INTERVAL: '1000' })
    expect(own.environ).toContain('BUN_GC_TIMER_INTERVAL=1000')
    expect(own.environ).not.toContain('BUN_GC_TIMER_INTERVAL=30000')
    const b = config('runtime-off.cfg')
    const off = await servingProcess(['run', b.file], b.port, { ...plainEnv(), BUN_GC_TIMER_DISABLE: '1' })
    expect(off.environ).toContain('BUN_GC_TIMER_DISABLE=1')
    expect(off.environ.some((v) => v.startsWith('BUN_GC_TIMER_INTERVAL='))).toBe(false)
  })
})
