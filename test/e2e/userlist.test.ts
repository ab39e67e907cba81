/**
 * `userlist` sections and the credentials they check: `http_auth(L)` and `http_auth_group(L)` in
 * conditions, `http-request auth` asking for credentials; hashes made by `openssl passwd`, as an
 * operator makes them. A wrong, missing or malformed Authorization header never reaches a server.
 */
import { describe, expect, test } from 'bun:test'
import { cfg, startLb } from '../support/harness.ts'
import { bodyOf, rawExchange, startHttpServer, traffic } from '../support/http-harness.ts'
import { buildConfig } from '../../src/config/build.ts'
import { readHaproxy } from '../../src/config/haproxy/reader.ts'
import { formatDiagnostic } from '../../src/model/source.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'

function passwd(flag: string, password: string): string {
  const r = Bun.spawnSync(['openssl', 'passwd', flag, password], { stdout: 'pipe', stderr: 'pipe' })
  if (r.exitCode !== 0) throw new Error(`openssl passwd ${flag}: ${r.stderr.toString()}`)
  return r.stdout.toString().trim()
}

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
const get = (uri: string, auth?: string): string =>
  `GET ${uri} HTTP/1.1\r\nHost: a\r\n${auth === undefined ? '' : `Authorization: ${auth}\r\n`}Connection: close\r\n\r\n`
const statusOf = (r: string): number => Number(r.slice(9, 12))

describe('userlist with http-request auth', () => {
  const sha512 = passwd('-6', 'six')
  const sha256 = passwd('-5', 'five')
  const md5 = passwd('-1', 'one')

  test('crypt hashes (SHA-512, SHA-256, MD5) and insecure-password let their users in; anything else gets 401', async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      userlist staff
        group admins users carol
        group ops
        user alice password ${sha512} groups ops
        user bob password ${sha256}
        user carol password ${md5}
        user dave insecure-password plain
        user erin
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request auth realm "Staff only" unless { http_auth(staff) }
        server a 127.0.0.1:${app.port}
    `)
    const port = lb.port()
    for (const [user, pass] of [['alice', 'six'], ['bob', 'five'], ['carol', 'one'], ['dave', 'plain'], ['alice', 'six']] as const) {
      expect(statusOf(await rawExchange(port, get(`/${user}`, basic(user, pass))))).toBe(200)
    }
    const denied = [
      undefined, // no credentials
      basic('alice', 'five'), // another user's password
      basic('alice', 'six '), // close to the right one
      basic('mallory', 'six'), // not in the list
      basic('erin', ''), // a user without a password never matches
      basic('dave', 'plainx'),
      'Basic !!!notbase64', // malformed
      `Basic ${Buffer.from('alice').toString('base64')}`, // no colon
      'Bearer abc',
      'Basic',
    ]
    for (const auth of denied) {
      const r = await rawExchange(port, get('/denied', auth))
      expect(statusOf(r)).toBe(401)
      expect(r).toContain('\r\nwww-authenticate: Basic realm="Staff only"\r\n')
    }
    expect(traffic(app).map((r) => r.uri)).toEqual(['/alice', '/bob', '/carol', '/dave', '/alice'])
    // The credentials go on to the server, as HAProxy sends them.
    expect(traffic(app)[0]!.header('authorization')).toBe(basic('alice', 'six'))
  })

  test('http_auth_group: the user must be in one of the groups the ACL names', async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      userlist L
        group admins users carol
        group ops
        user alice insecure-password a groups ops
        user bob insecure-password b
        user carol insecure-password c
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        acl is_admin http_auth_group(L) admins ops
        http-request auth realm Admin unless is_admin
        http-request set-header X-User %[http_auth_group(L)]
        server a 127.0.0.1:${app.port}
    `)
    const port = lb.port()
    expect(statusOf(await rawExchange(port, get('/', basic('alice', 'a'))))).toBe(200)
    expect(statusOf(await rawExchange(port, get('/', basic('carol', 'c'))))).toBe(200)
    expect(statusOf(await rawExchange(port, get('/', basic('bob', 'b'))))).toBe(401)
    expect(statusOf(await rawExchange(port, get('/', basic('carol', 'x'))))).toBe(401)
    expect(traffic(app).map((r) => r.header('x-user'))).toEqual(['alice', 'carol'])
  })

  test('http_auth_type, http_auth_user, http_auth_pass and http_auth_bearer read the header', async () => {
    await using app = startHttpServer('app')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        http-request set-header X-Auth "%[http_auth_type]/%[http_auth_user]/%[http_auth_pass]/%[http_auth_bearer]"
        server a 127.0.0.1:${app.port}
    `)
    await rawExchange(lb.port(), get('/1', basic('u', 'p:q')))
    await rawExchange(lb.port(), get('/2', 'Bearer tok.en'))
    await rawExchange(lb.port(), get('/3'))
    expect(traffic(app).map((r) => r.header('x-auth'))).toEqual(['Basic/u/p:q/', 'Bearer///tok.en', '///'])
    expect(bodyOf(await rawExchange(lb.port(), get('/4')))).toBe('app')
  })
})

describe('userlist errors at load', () => {
  const errorsOf = (userlist: string, rule = 'http-request auth unless { http_auth(L) }'): string[] => {
    const text = `${userlist}\nlisten web\n  bind 127.0.0.1:0\n  mode http\n  ${rule}\n  server a 127.0.0.1:9\n`
    const read = readHaproxy(text, 'u.cfg')
    const built = buildConfig(read.sections, ['u.cfg'])
    return [...read.diagnostics, ...built.diagnostics].filter((d) => d.severity === 'error').map(formatDiagnostic)
  }

  test('a hash edgelb cannot check is refused at its line', () => {
    expect(errorsOf('userlist L\n  user a password abcdefgh')).toEqual([
      "u.cfg:2: error: user 'a': the password hash 'abcdefgh…' is not one edgelb can check; use a SHA-512 ($6$), SHA-256 ($5$), MD5 ($1$) or bcrypt ($2b$) hash (openssl passwd -6), or insecure-password",
    ])
  })

  test('an unknown userlist in http_auth is an error at the rule', () => {
    expect(errorsOf('userlist L\n  user a insecure-password x', 'http-request auth unless { http_auth(M) }')).toEqual([
      "u.cfg:6: error: http_auth: no userlist named 'M'; known: L",
    ])
  })

  test('an undeclared group, a user declared twice', () => {
    expect(errorsOf('userlist L\n  user a insecure-password x groups nope\n  user a insecure-password y')).toEqual([
      "u.cfg:2: error: user 'a': no group 'nope' in userlist 'L'; declare it with 'group nope'",
      "u.cfg:3: error: user 'a' is declared twice in userlist 'L'",
    ])
  })
})

test('a hash of a known scheme that is not complete is a warning: nobody logs in with it', async () => {
  await using app = startHttpServer('app')
  const text = cfg`
    userlist L
      user cut password $5$3VeorK1XxvgRseQ$VBkOPCY2enWZsas.C6X9Iif0FPHDknXXXX
      user ok insecure-password fine
    listen web
      bind 127.0.0.1:0
      mode http
      ${T}
      http-request auth unless { http_auth(L) }
      server a 127.0.0.1:${app.port}
  `
  const read = readHaproxy(text, 'u.cfg')
  const built = buildConfig(read.sections, ['u.cfg'])
  expect(built.diagnostics.map(formatDiagnostic).filter((l) => l.includes('cut'))).toEqual([
    "u.cfg:2: warning: user 'cut': the password hash '$5$3VeorK1Xx…' is not a complete sha256 crypt hash; nobody can log in as 'cut'",
  ])
  await using lb = await startLb(text)
  expect(statusOf(await rawExchange(lb.port(), get('/', basic('cut', 'anything'))))).toBe(401)
  expect(statusOf(await rawExchange(lb.port(), get('/', basic('ok', 'fine'))))).toBe(200)
})
