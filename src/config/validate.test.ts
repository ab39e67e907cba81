import { describe, expect, test } from 'bun:test'
import { buildConfig } from './build.ts'
import { readHaproxy } from './haproxy/reader.ts'
import { formatDiagnostic } from '../model/source.ts'

const FILE = 'edgelb.cfg'

/** Every diagnostic `edgelb check` would print for this text, except the "not implemented yet"
 *  warnings (build.test.ts covers those). */
function problems(text: string): string[] {
  const read = readHaproxy(text, FILE)
  const built = buildConfig(read.sections, [FILE])
  return [...read.diagnostics, ...built.diagnostics].filter((d) => !d.message.includes('not implemented yet')).map(formatDiagnostic)
}
const errors = (text: string): string[] => problems(text).filter((l) => l.includes(': error: '))

/** Timeouts in defaults (lines 1-4), so only the problem under test is reported. */
const T = `defaults
  timeout connect 5s
  timeout client 30s
  timeout server 30s
`
const at = (line: number) => `${FILE}:${line}`

describe('a valid configuration', () => {
  test('has no diagnostic at all', () => {
    expect(problems(T + `frontend www
  bind :80
  default_backend app
backend app
  server a 10.0.0.1:80 check
  server b 10.0.0.2:80 track a
`)).toEqual([])
  })
})

describe('names and references', () => {
  test('default_backend to a missing backend, with a suggestion', () => {
    expect(problems(T + 'frontend www\n  bind :80\n  default_backend ap\nbackend app\n  server a 10.0.0.1:80\n')).toEqual([
      `${at(5)}: error: default_backend 'ap': no backend or listen section has that name; did you mean 'app'?`,
    ])
  })

  test('use_backend to a missing backend, on its own line; dynamic names are not checked', () => {
    expect(problems(T + 'frontend www\n  bind :80\n  use_backend statics\n  use_backend %[req.hdr(host)]\n  default_backend app\nbackend app\n  server a 10.0.0.1:80\nbackend static\n  server a 10.0.0.1:80\n')).toEqual([
      `${at(7)}: error: use_backend 'statics': no backend or listen section has that name; did you mean 'static'?`,
    ])
  })

  test('a listen section can be the target of a frontend', () => {
    expect(problems(T + 'frontend www\n  bind :80\n  default_backend farm\nlisten farm\n  bind :81\n  server a 10.0.0.1:80\n')).toEqual([])
  })

  test('an http frontend cannot send to a tcp backend', () => {
    expect(errors(T + 'frontend www\n  mode http\n  bind :80\n  default_backend db\nbackend db\n  mode tcp\n  server a 10.0.0.1:5432\n')).toEqual([
      `${at(5)}: error: frontend 'www' is in http mode but its default_backend 'db' is in tcp mode; set 'mode http' in backend 'db'`,
    ])
  })

  test('duplicate proxy names; a frontend and a backend may share one, as in HAProxy', () => {
    expect(problems(T + 'frontend app\n  bind :80\n  default_backend app\nbackend app\n  server a 10.0.0.1:80\n')).toEqual([])
    expect(errors(T + 'frontend app\n  bind :80\n  default_backend app\nbackend app\n  server a 10.0.0.1:80\nlisten app\n  bind :81\n  server a 10.0.0.1:80\nbackend app\n  server a 10.0.0.1:80\n')).toEqual([
      `${at(10)}: error: listen 'app' has the same name as the frontend at line 5; proxy names must be unique`,
      `${at(10)}: error: listen 'app' has the same name as the backend at line 8; proxy names must be unique`,
      `${at(13)}: error: backend 'app' has the same name as the backend at line 8; proxy names must be unique`,
    ])
  })
})

describe('servers', () => {
  test('a server without an address', () => {
    expect(errors(T + 'backend b\n  server a\n  server c check\n  server\n')).toEqual([
      `${at(6)}: error: server 'a' has no address; write server a ADDRESS[:PORT] [options]`,
      `${at(7)}: error: server 'c' has no address before its options ('check' is an option); write server c ADDRESS[:PORT] check`,
      `${at(8)}: error: 'server' expects a name and an address: server NAME ADDRESS[:PORT] [options]`,
    ])
  })

  test('duplicate server names in one backend, as 1.x allowed: the later one gets a derived name; the same name in two backends is fine', () => {
    expect(problems(T + 'backend b\n  server a 10.0.0.1:80\n  server a 10.0.0.2:80\n  server a-2 10.0.0.4:80\nbackend c\n  server a 10.0.0.3:80\n')).toEqual([
      `${at(7)}: warning: server 'a' is declared twice in backend 'b' (first at line 6), which HAProxy 1.x allowed and 2.x refuses; edgelb names this one 'a-2' in logs, stats and the runtime API (rename it to choose)`,
      `${at(8)}: warning: server 'a-2' is declared twice in backend 'b' (first at line 7), which HAProxy 1.x allowed and 2.x refuses; edgelb names this one 'a-2-2' in logs, stats and the runtime API (rename it to choose)`,
    ])
  })

  test('track: to a server of this backend or BACKEND/SERVER; a missing one is an error', () => {
    expect(problems(T + `backend b
  server a 10.0.0.1:80
  server t1 10.0.0.2:80 track a
  server t2 10.0.0.2:80 track c/x
  server t3 10.0.0.2:80 track nope
  server t4 10.0.0.2:80 track c/nope
  server t5 10.0.0.2:80 track zz/x
backend c
  server x 10.0.0.3:80
`)).toEqual([
      `${at(7)}: error: server 't1': unable to use b/a for tracking as it does not have any check nor agent enabled`,
      `${at(8)}: error: server 't2': unable to use c/x for tracking as it does not have any check nor agent enabled`,
      `${at(9)}: error: server 't3' tracks 'nope', which does not exist; write track BACKEND/SERVER`,
      `${at(10)}: error: server 't4' tracks 'c/nope', which does not exist; write track BACKEND/SERVER`,
      `${at(11)}: error: server 't5' tracks 'zz/x', which does not exist; write track BACKEND/SERVER`,
    ])
  })

  test('track: at the end of the chain there must be a checked server; a chain may not loop', () => {
    expect(problems(T + `backend b
  server a 10.0.0.1:80 check
  server t1 10.0.0.2:80 track a
  server t2 10.0.0.2:80 track t1
  server l1 10.0.0.2:80 track l2
  server l2 10.0.0.2:80 track l1
  server self 10.0.0.2:80 track self
`)).toEqual([
      `${at(9)}: error: server 'l1': 'track' loops back through 'l1'`,
      `${at(10)}: error: server 'l2': 'track' loops back through 'l2'`,
      `${at(11)}: error: server 'self' cannot track itself`,
    ])
  })

  test('minconn greater than maxconn is an error; minconn alone has no effect', () => {
    expect(problems(T + 'backend b\n  server a 10.0.0.1:80 minconn 10 maxconn 5\n  server c 10.0.0.1:80 minconn 4\n  server d 10.0.0.1:80 minconn 4 maxconn 12\n')).toEqual([
      `${at(6)}: error: server 'a': minconn 10 is greater than maxconn 5`,
      `${at(7)}: warning: server 'c': minconn without maxconn has no effect; set maxconn too`,
    ])
  })

  test('weights outside 0-256', () => {
    expect(errors(T + 'backend b\n  server a 10.0.0.1:80 weight 257\n  server c 10.0.0.1:80 weight -1\n  server d 10.0.0.1:80 weight heavy\n  server e 10.0.0.1:80 weight 0\n  server f 10.0.0.1:80 weight 256\n')).toEqual([
      `${at(6)}: error: 'weight' must be between 0 and 256, got 257`,
      `${at(7)}: error: 'weight' must be between 0 and 256, got -1`,
      `${at(8)}: error: 'weight' expects a whole number, got 'heavy'`,
    ])
  })

  test('a server cookie without a backend cookie is ignored, with a warning', () => {
    expect(problems(T + 'backend b\n  mode http\n  server a 10.0.0.1:80 cookie A\n')).toEqual([
      `${at(7)}: warning: server 'a' has 'cookie A' but backend 'b' declares no cookie, so it is ignored; add e.g. 'cookie SERVERID insert indirect'`,
    ])
  })

  test('a backend with no server; servers and dispatch together; fullconn without minconn', () => {
    expect(problems(T + 'backend empty\nbackend both\n  dispatch 10.0.0.9:80\n  server a 10.0.0.1:80\nbackend full\n  fullconn 100\n  server a 10.0.0.1:80\nbackend off\n  disabled\n')).toEqual([
      `${at(5)}: warning: backend 'empty' has no server: every request to it fails (503 in http mode); add 'server NAME ADDRESS:PORT'`,
      `${at(6)}: warning: backend 'both' has both servers and 'dispatch'; the servers are used and 'dispatch' only when none is usable`,
      `${at(9)}: warning: backend 'full' sets 'fullconn' but no server has 'minconn', so it has no effect`,
    ])
  })
})

describe('listeners', () => {
  test('the same address bound by two proxies', () => {
    expect(errors(T + 'listen a\n  bind :80\n  server s 10.0.0.1:80\nlisten b\n  bind 0.0.0.0:80\n  server s 10.0.0.1:80\nlisten c\n  bind *:8005,:9000\n  server s 10.0.0.1:80\nlisten d\n  bind :8000-8010\n  server s 10.0.0.1:80\n')).toEqual([
      `${at(9)}: error: 0.0.0.0:80 is already bound by listen 'a' (line 5); each address can be bound once`,
      `${at(15)}: error: :8005 is already bound by listen 'c' (line 11); each address can be bound once`,
    ])
  })

  test('the same address bound twice by one proxy', () => {
    expect(errors(T + 'listen a\n  bind 127.0.0.1:80\n  bind 127.0.0.1:80\n  bind :81,:81\n  server s 10.0.0.1:80\n')).toEqual([
      `${at(7)}: error: 127.0.0.1:80 is already bound by listen 'a' (line 5); each address can be bound once`,
      `${at(8)}: error: :81 is already bound by listen 'a' (line 5); each address can be bound once`,
    ])
  })

  test('different hosts, families and port 0 do not clash', () => {
    expect(errors(T + 'listen a\n  bind 127.0.0.1:80\n  bind 127.0.0.2:80\n  bind :::80 v6only\n  bind :80\n  bind 127.0.0.1:0\n  bind 127.0.0.1:0\n  bind unix@/run/a.sock\n  server s 10.0.0.1:80\n')).toEqual([])
  })

  test('a frontend without bind, and without a backend to send to', () => {
    expect(problems(T + 'frontend f\nlisten l\n  server s 10.0.0.1:80\nfrontend off\n  disabled\n  default_backend l\n')).toEqual([
      `${at(5)}: warning: frontend 'f' has no 'bind' line, so it receives no traffic; add 'bind ADDRESS:PORT' (or declare it as a backend if that was intended)`,
      `${at(5)}: warning: frontend 'f' has no default_backend and no use_backend: every connection would be refused; add 'default_backend NAME'`,
      `${at(6)}: warning: listen 'l' has no 'bind' line, so it receives no traffic; add 'bind ADDRESS:PORT' (or declare it as a backend if that was intended)`,
    ])
  })

  test('bad ports and ranges', () => {
    expect(errors(T + 'listen a\n  bind :8010-8000\n  bind :70000\n  bind :1-2000\n  bind :www\n  server s 10.0.0.1:80\n')).toEqual([
      `${at(6)}: error: port range 8010-8000 is reversed in ':8010-8000'; write 8000-8010`,
      `${at(7)}: error: port 70000 out of range in ':70000'; ports are 1 to 65535 (0 = any free port)`,
      `${at(8)}: error: port range 1-2000 spans 2000 ports in ':1-2000'; edgelb allows at most 1024 per range`,
      `${at(9)}: error: invalid port 'www' in ':www'; ports are numbers from 1 to 65535`,
    ])
  })

  test('no proxy at all', () => {
    expect(problems('global\n  maxconn 100\n')).toEqual([`${at(1)}: warning: no frontend or listen section: edgelb has nothing to listen on`])
  })
})

describe('mode', () => {
  test('HTTP-only settings in a tcp proxy are warnings', () => {
    expect(problems(T + `listen web
  bind :80
  mode tcp
  cookie SRV insert
  option forwardfor
  option httpclose
  balance uri
  http-request deny
  capture request header Host len 32
  server s 10.0.0.1:80
`)).toEqual([
      `${at(8)}: warning: 'cookie SRV' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
      `${at(9)}: warning: 'option forwardfor' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
      `${at(10)}: warning: 'option httpclose' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
      `${at(11)}: warning: 'balance uri' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
      `${at(12)}: warning: 'http-request' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
      `${at(13)}: warning: 'capture request header Host' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
    ])
  })

  test('the 1.x header filters in a tcp proxy are warnings too', () => {
    const w = problems(T + 'listen web\n  bind :80\n  mode tcp\n  reqadd X-A:\\ 1\n  rspdel ^Server:\n  block if TRUE\n  server s 10.0.0.1:80\n')
    expect(w.filter((l) => l.includes("requires 'mode http'"))).toEqual([
      `${at(8)}: warning: 'reqadd' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
      `${at(9)}: warning: 'rspdel' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
      `${at(10)}: warning: 'block' requires 'mode http'; listen 'web' is in tcp mode and ignores it`,
    ])
  })

  test('the same settings in an http proxy are silent, and a defaults section is never warned about', () => {
    expect(problems(T + '  option forwardfor\nlisten web\n  mode http\n  bind :80\n  option forwardfor\n  server s 10.0.0.1:80\n')).toEqual([])
  })
})

describe('timeouts', () => {
  test('each proxy lists the timeouts it lacks', () => {
    expect(problems('listen a\n  bind :80\n  server s 10.0.0.1:80\nfrontend f\n  bind :81\n  default_backend b\nbackend b\n  timeout server 1s\n  server s 10.0.0.1:80\n')).toEqual([
      `${at(1)}: warning: missing timeouts for listen 'a': 'timeout client', 'timeout connect', 'timeout server'; without them a dead peer holds a session forever (set them in 'defaults')`,
      `${at(4)}: warning: missing timeouts for frontend 'f': 'timeout client'; without them a dead peer holds a session forever (set them in 'defaults')`,
      `${at(7)}: warning: missing timeouts for backend 'b': 'timeout connect'; without them a dead peer holds a session forever (set them in 'defaults')`,
    ])
  })

  test('durations and sizes that do not parse are errors on their line', () => {
    expect(errors(T + 'backend b\n  timeout queue 5x\n  timeout tunnel -1\n  server s 10.0.0.1:80 inter 2 slowstart 1.5.2\n  stick-table type ip size 10q\n  timeout check\n')).toEqual([
      `${at(6)}: error: invalid duration '5x'; write a number with a unit: 100ms, 5s, 2m, 1h, 1d (a plain number means milliseconds)`,
      `${at(7)}: error: invalid duration '-1'; write a number with a unit: 100ms, 5s, 2m, 1h, 1d (a plain number means milliseconds)`,
      `${at(8)}: error: invalid duration '1.5.2'; write a number with a unit: 100ms, 5s, 2m, 1h, 1d (a plain number means milliseconds)`,
      `${at(9)}: error: invalid size '10q'; write a number of bytes, optionally with k, m or g: 16384, 16k, 1m`,
      `${at(10)}: error: 'timeout check' expects a duration`,
    ])
  })
})

describe('health checks (compiled as the engine compiles them)', () => {
  test('a bad tcp-check or http-check line is an error at its line; one in defaults is reported once', () => {
    expect(problems(T + `backend t
  option tcp-check
  tcp-check connect port 0
  tcp-check send a b
  server a 10.0.0.1:80 check
backend h
  mode http
  option httpchk
  http-check send meth
  server a 10.0.0.1:80 check
`)).toEqual([
      `${at(7)}: error: 'tcp-check connect port' expects a TCP port (1 to 65535), got '0'`,
      `${at(13)}: error: 'http-check send meth' expects a value`,
    ])
    expect(problems(`defaults
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option tcp-check
  tcp-check expect strng +OK
backend b1
  server a 10.0.0.1:80 check
backend b2
  server a 10.0.0.1:80 check
`)).toEqual([
      `${at(6)}: error: 'tcp-check expect' expects 'string', 'rstring', 'binary', 'rbinary' followed by a pattern, got 'strng'`,
    ])
  })

  test('a backend whose servers are not checked does not compile its check (as edgelb run)', () => {
    expect(problems(T + 'backend b\n  option tcp-check\n  tcp-check send-binary 0\n  server a 10.0.0.1:80\n')).toEqual([])
  })

  test('an agent without agent-port is an error; a check without any port is disabled, with a warning', () => {
    expect(problems(T + 'backend b\n  server a 10.0.0.1:80 agent-check\n  server c 10.0.0.1 check\n  server d 10.0.0.1 check port 81\n')).toEqual([
      `${at(6)}: error: backend 'b': server 'a' has 'agent-check' but no 'agent-port'; add 'agent-port N' to its line`,
      `${at(7)}: warning: backend 'b': server 'c' has neither service port nor check port, so its check is disabled; add 'port N' to its line`,
    ])
  })

  test('http-check lines in a tcp backend are not "http only": an HTTP check works on a tcp backend', () => {
    expect(problems(T + 'backend b\n  mode tcp\n  option httpchk\n  http-check send meth GET uri /health\n  http-check expect status 200\n  server a 10.0.0.1:80 check\n')).toEqual([])
  })
})
