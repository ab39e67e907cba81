import { describe, expect, test } from 'bun:test'
import { cfg, startLb } from '../../test/support/harness.ts'
import { CliSession, splitWords } from './session.ts'
import type { CliLevel } from './types.ts'

const CONFIG = cfg`
  defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
  frontend web
    bind 127.0.0.1:0
    default_backend app
  backend app
    balance roundrobin
    server s1 127.0.0.1:1 weight 10
    server s2 127.0.0.1:2
  backend hashed
    balance source
    server h1 127.0.0.1:3`

function cli(lb: { engine: CliSession['ctx']['engine'] }, level: CliLevel = 'admin'): (text: string) => string {
  return (text) => new CliSession({ engine: lb.engine, level }).input(text)
}

test('words split on spaces and tabs; a backslash keeps the next character', () => {
  expect(splitWords('set  map\tx a\\ b')).toEqual(['set', 'map', 'x', 'a b'])
})

describe('the protocol', () => {
  test('one command per connection: its output, an empty line, then the connection closes', async () => {
    await using lb = await startLb(CONFIG)
    const s = new CliSession({ engine: lb.engine, level: 'operator' })
    const out = s.input('show backend\n')
    expect(out).toBe('# name\napp\nhashed\n\n')
    expect(s.ended).toBe(true)
  })

  test('commands separated by ; each answer in turn', async () => {
    await using lb = await startLb(CONFIG)
    expect(cli(lb)('get weight app/s1; get weight app/s2\n')).toBe('10 (initial 10)\n\n1 (initial 1)\n\n')
  })

  test('a command that arrives in pieces runs once its line is complete', async () => {
    await using lb = await startLb(CONFIG)
    const s = new CliSession({ engine: lb.engine, level: 'operator' })
    expect(s.input('get wei')).toBe('')
    expect(s.ended).toBe(false)
    expect(s.input('ght app/s1\r\n')).toBe('10 (initial 10)\n\n')
  })

  test('prompt: interactive, each answer followed by "> ", until quit', async () => {
    await using lb = await startLb(CONFIG)
    const s = new CliSession({ engine: lb.engine, level: 'operator' })
    expect(s.input('prompt\n')).toBe('\n> ')
    expect(s.input('get weight app/s2\n')).toBe('1 (initial 1)\n\n> ')
    expect(s.ended).toBe(false)
    expect(s.input('quit\n')).toBe('')
    expect(s.ended).toBe(true)
  })

  test('an unknown command gets HAProxy\'s answer with the commands that come close', async () => {
    await using lb = await startLb(CONFIG)
    const out = cli(lb)('show bogus\n')
    expect(out.startsWith('Unknown command, but maybe one of the following ones is a better match:\n')).toBe(true)
    expect(out).toContain('  show stat ')
    expect(out).not.toContain('set server')
    expect(cli(lb)('frobnicate\n').startsWith('Unknown command. Please enter one of the following commands only:\n')).toBe(true)
    expect(cli(lb)('help\n').startsWith('The following commands are valid at this level:\n  help [<command>]')).toBe(true)
  })
})

describe('show info, show stat', () => {
  test('show info: Name, Version, Pid, uptime, connections', async () => {
    await using lb = await startLb(CONFIG)
    const out = cli(lb)('show info\n')
    expect(out).toContain('Name: edgelb\n')
    expect(out).toMatch(/^Version: \d+\.\d+\.\d+$/m)
    expect(out).toContain(`Pid: ${process.pid}\n`)
    expect(out).toMatch(/^Uptime: \d+d \d+h\d\dm\d\ds$/m)
    expect(out).toMatch(/^Uptime_sec: \d+$/m)
    expect(out).toContain('CurrConns: 0\n')
    expect(out).toContain('CumReq: 0\n')
  })

  test('show stat: the CSV; iid/type/sid select rows; typed and json', async () => {
    await using lb = await startLb(CONFIG)
    const csv = cli(lb)('show stat\n')
    expect(csv.startsWith('# pxname,svname,qcur,')).toBe(true)
    expect(csv.trimEnd().split('\n').slice(1).map((l) => l.split(',').slice(0, 2).join('/'))).toEqual(['web/FRONTEND', 'app/s1', 'app/s2', 'app/BACKEND', 'hashed/h1', 'hashed/BACKEND'])
    const servers = cli(lb)('show stat app 4 -1\n')
    expect(servers.trimEnd().split('\n').slice(1).map((l) => l.split(',')[1])).toEqual(['s1', 's2'])
    expect(cli(lb)('show stat nothere 1 -1\n')).toBe('No such proxy.\n\n')
    const typed = cli(lb)('show stat typed\n')
    expect(typed).toContain('F.1.0.0.pxname.1:KNS:str:web\n')
    expect(typed).toContain('S.2.1.1.svname.1:KNS:str:s1\n')
    const json = JSON.parse(cli(lb)('show stat json\n'))
    expect(json[0][0]).toEqual({ objType: 'Frontend', proxyId: 1, id: 0, field: { pos: 0, name: 'pxname' }, processNum: 1, tags: { origin: 'Key', nature: 'Name', scope: 'Service' }, value: { type: 'str', value: 'web' } })
  })

  test('at user level the legends (addresses) stay hidden; operator sees them', async () => {
    await using lb = await startLb(CONFIG)
    expect(cli(lb, 'user')('show stat\n')).not.toContain('127.0.0.1:1')
    expect(cli(lb, 'operator')('show stat\n')).toContain('127.0.0.1:1')
  })

  test('show servers state: version 1, the header, one line per server', async () => {
    await using lb = await startLb(CONFIG)
    const lines = cli(lb)('show servers state app\n').split('\n')
    expect(lines[0]).toBe('1')
    expect(lines[1]).toBe('# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port')
    // An unchecked server's check status is INI (1), as HAProxy 2.6.12 prints it.
    expect(lines[2]).toMatch(/^2 app 1 s1 127\.0\.0\.1 2 0 10 10 \d+ 1 0 \d+ 0 0 0 0 - 1 - 0 0 - - 0$/)
    expect(lines.length).toBe(6)
    expect(cli(lb)('show servers state nothere\n')).toBe("Can't find backend.\n\n")
  })
})

test("proxy and server numbers: 'id' forces one, the others take the next free; a stats socket's own proxy takes 1", async () => {
  await using lb = await startLb(cfg`
    global
      stats socket 127.0.0.1:0 level admin
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    frontend web
      bind 127.0.0.1:0
      default_backend app
    backend app
      id 9
      server s1 127.0.0.1:1 id 3
      server s2 127.0.0.1:2
    listen other
      bind 127.0.0.1:0
      server o1 127.0.0.1:4`)
  const lines = cli(lb)('show servers state\n').split('\n')
  expect(lines.slice(2, 5).map((l) => l.split(' ').slice(0, 4).join(' ') + ' ' + l.split(' ').slice(15, 17).join(' '))).toEqual([
    '9 app 3 s1 1 1', '9 app 1 s2 1 0', '3 other 1 o1 0 0',
  ])
  const csv = cli(lb)('show stat\n').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').slice(0, 2).concat(l.split(',').slice(27, 29)).join(','))
  expect(csv).toEqual(['web,FRONTEND,2,0', 'app,s1,9,3', 'app,s2,9,1', 'app,BACKEND,9,0', 'other,FRONTEND,3,0', 'other,o1,3,1', 'other,BACKEND,3,0'])
})

describe('changing servers', () => {
  test('set server state maint/drain/ready moves the server as the checks would', async () => {
    await using lb = await startLb(CONFIG)
    const run = cli(lb)
    const s1 = lb.backend('app').servers[0]!
    expect(run('set server app/s1 state maint\n')).toBe('\n')
    expect(s1.admin).toBe('maint')
    expect(s1.usable).toBe(false)
    expect(run('show stat app 4 1\n')).toContain(',MAINT,')
    expect(run('set server app/s1 state drain\n')).toBe('\n')
    expect(run('show stat app 4 1\n')).toContain(',DRAIN,')
    expect(run('set server app/s1 state ready\n')).toBe('\n')
    expect(s1.usable).toBe(true)
    expect(run('set server app/s1 state bogus\n')).toBe("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n")
    expect(run('disable server app/s2\n')).toBe('\n')
    expect(lb.backend('app').servers[1]!.admin).toBe('maint')
    expect(run('enable server app/s2\n')).toBe('\n')
    expect(lb.backend('app').servers[1]!.admin).toBe('ready')
  })

  test('weights: absolute, relative to the configured one, and refused for a static algorithm', async () => {
    await using lb = await startLb(CONFIG)
    const run = cli(lb)
    expect(run('set server app/s1 weight 50%\n')).toBe('\n')
    expect(run('get weight app/s1\n')).toBe('5 (initial 10)\n\n')
    expect(run('set weight app/s1 20\n')).toBe('\n')
    expect(lb.backend('app').servers[0]!.weight).toBe(20)
    expect(run('set weight app/s1 300\n')).toBe('Absolute weight can only be between 0 and 256 inclusive.\n\n')
    expect(run('set weight hashed/h1 3\n')).toBe("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n\n")
  })

  test("HAProxy's errors for a missing backend or server", async () => {
    await using lb = await startLb(CONFIG)
    const run = cli(lb)
    expect(run('get weight nothere/s1\n')).toBe('No such backend.\n\n')
    expect(run('get weight app/nothere\n')).toBe('No such server.\n\n')
    expect(run('get weight app\n')).toBe("Require 'backend/server'.\n\n")
  })

  test('the level is enforced: an operator cannot change a server', async () => {
    await using lb = await startLb(CONFIG)
    expect(cli(lb, 'operator')('set server app/s1 state maint\n')).toBe('Permission denied\n\n')
    expect(cli(lb, 'user')('disable server app/s1\n')).toBe('Permission denied\n\n')
    expect(lb.backend('app').servers[0]!.admin).toBe('ready')
    expect(cli(lb, 'operator')('help\n')).not.toContain('set server')
  })
})

test("get var / set var: process variables; set var needs experimental-mode on, for this connection only", async () => {
  await using lb = await startLb(cfg`
    global
      set-var proc.int5 int(5)
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    frontend web
      bind 127.0.0.1:0
      http-request return status 200 hdr x-v %[var(proc.int5)]`)
  expect(cli(lb)('get var proc.int5\n')).toBe('proc.int5: type=sint value=<5>\n')
  expect(cli(lb)('get var proc.nope\n')).toBe('Variable not found.\n\n')
  expect(cli(lb)('get var txn.x\n')).toBe("Only process-wide variables can be used ('proc.' prefix).\n\n")
  expect(cli(lb)('set var proc.int5 int(7)\n')).toBe('This command is restricted to experimental mode only.\n\n')
  const s = new CliSession({ engine: lb.engine, level: 'admin' })
  s.input('prompt\n')
  s.input('experimental-mode on\n')
  s.input('set var proc.int5 int(7)\n')
  s.input('set var proc.s fmt %[var(proc.int5)]-x\n')
  expect(cli(lb)('get var proc.int5; get var proc.s\n')).toBe('proc.int5: type=sint value=<7>\nproc.s: type=str value=<7-x>\n')
  const r = await fetch(`http://127.0.0.1:${lb.port()}/`)
  expect(r.headers.get('x-v')).toBe('7')
  expect(cli(lb, 'user')('get var proc.int5\n')).toBe('Permission denied\n\n')
})
