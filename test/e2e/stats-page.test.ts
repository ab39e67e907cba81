/**
 * The stats page (`stats enable`, `stats uri`, `stats refresh`, `stats hide-version`) over real
 * sockets: answered by edgelb at its prefix, in HTML or CSV, after the proxy's own rules, with
 * the http-after-response rules applied, on a connection kept open; other paths reach servers.
 */
import { describe, expect, test } from 'bun:test'
import { cfg, startLb } from '../support/harness.ts'
import { bodyOf, httpClient, startHttpServer, waitResponses } from '../support/http-harness.ts'

const T = 'timeout connect 5s\n  timeout client 5s\n  timeout server 5s'

describe('stats page', () => {
  test('stats enable: /haproxy?stats is an HTML table of every proxy and server; other paths go to the servers', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      listen web
        bind 127.0.0.1:0
        mode http
        ${T}
        stats enable
        http-after-response set-header x-after yes
        server a 127.0.0.1:${a.port}
      backend other
        mode http
        server b 127.0.0.1:9 disabled
    `)
    using c = await httpClient(lb.port())
    await c.write('GET /haproxy?stats HTTP/1.1\r\nHost: h\r\n\r\n')
    await c.write('GET /app HTTP/1.1\r\nHost: h\r\n\r\n')
    const [page, app] = await waitResponses(c, 2)
    expect(page).toStartWith('HTTP/1.1 200 OK\r\n')
    expect(page).toMatch(/\r\ncontent-type: text\/html\r\n/)
    expect(page).toMatch(/\r\nx-after: yes\r\n/)
    expect(page).not.toMatch(/\r\nconnection: close/i)
    const html = bodyOf(page!)
    expect(html).toContain('Statistics Report for edgelb version')
    for (const cell of ['>web<', '>FRONTEND<', '>a<', '>BACKEND<', '>other<', '>b<']) expect(html).toContain(cell)
    expect(app).toStartWith('HTTP/1.1 200 ')
    expect(a.requests.map((r) => r.uri)).toEqual(['/app'])
  })

  test('a backend\'s stats uri, refresh, hide-version, ;csv and HEAD; its http-request rules run first', async () => {
    await using a = startHttpServer('A')
    await using lb = await startLb(cfg`
      frontend fe
        bind 127.0.0.1:0
        mode http
        ${T}
        default_backend be
      backend be
        mode http
        ${T}
        stats uri /admin/stats
        stats refresh 10s
        stats hide-version
        http-request deny if { path /admin/stats/blocked }
        server a 127.0.0.1:${a.port}
    `)
    using c = await httpClient(lb.port())
    for (const r of ['GET /admin/stats HTTP/1.1', 'GET /admin/stats;csv;norefresh HTTP/1.1', 'HEAD /admin/stats HTTP/1.1', 'GET /admin/stats/blocked HTTP/1.1', 'GET /admin HTTP/1.1']) {
      await c.write(`${r}\r\nHost: h\r\n\r\n`)
    }
    const [html, csv, head, blocked, app] = await waitResponses(c, 5)
    expect(html).toMatch(/\r\nrefresh: 10\r\n/)
    expect(bodyOf(html!)).toContain('Statistics Report for edgelb</h1>')
    expect(csv).toMatch(/\r\ncontent-type: text\/plain\r\n/)
    expect(csv).not.toMatch(/\r\nrefresh:/)
    const lines = bodyOf(csv!).trim().split('\n')
    expect(lines[0]).toStartWith('# pxname,svname,qcur,qmax,scur,smax,slim,stot,')
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['fe,FRONTEND', 'be,a', 'be,BACKEND'])
    expect(head).toMatch(/\r\ncontent-length: 0\r\n\r\n$/)
    expect(blocked).toStartWith('HTTP/1.1 403 ')
    expect(app).toStartWith('HTTP/1.1 200 ')
    expect(a.requests.map((r) => r.uri)).toEqual(['/admin'])
  })
})
