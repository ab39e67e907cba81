/**
 * The stats page in a real browser: headless Chromium loads it (with its credentials), and the
 * DOM it builds has the proxies' tables with the server rows in their state colours. CI installs
 * Chromium (.ci/run); without it installed here, the test says so and does not run.
 */
import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cfg, startLb } from '../support/harness.ts'

const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].map((b) => Bun.which(b)).find((p) => p !== null) ?? null
if (CHROMIUM === null) console.warn('stats-page-browser: no chromium on this machine (apt-get install chromium); the browser test does not run')

/** What Chromium's DOM holds once it loaded `url`. */
async function domOf(url: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'edgelb-chromium-'))
  try {
    const proc = Bun.spawn([CHROMIUM!, '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', `--user-data-dir=${profile}`, '--window-size=1280,1000', '--dump-dom', url], { stdout: 'pipe', stderr: 'ignore' })
    const dom = await new Response(proc.stdout).text()
    expect(await proc.exited).toBe(0)
    return dom
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}

test.skipIf(CHROMIUM === null)('headless Chromium loads the stats page: each proxy a table, each server row in its state colour', async () => {
  using app = Bun.serve({ port: 0, fetch: () => new Response('ok') })
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen stats
      bind 127.0.0.1:0
      stats uri /
      stats auth admin:secret
    backend app
      server web1 127.0.0.1:${app.port}
      server web2 127.0.0.1:${app.port} disabled
      server spare 127.0.0.1:${app.port} backup`)
  const dom = await domOf(`http://admin:secret@127.0.0.1:${lb.port('stats')}/`)
  expect(dom).toContain('Statistics Report for pid')
  expect(dom).toMatch(/<tr class="active_no_check"><td class="al"><a name="app\/web1"><\/a>web1<\/td>/)
  expect(dom).toMatch(/<tr class="maintain"><td class="al"><a name="app\/web2"><\/a>web2<\/td>/)
  expect(dom).toMatch(/<tr class="backup_no_check"><td class="al"><a name="app\/spare"><\/a>spare<\/td>/)
  expect(dom.match(/<table class="tbl"/g)?.length).toBe(4)
})

test.skipIf(CHROMIUM === null)('with stats admin, Chromium builds each backend\'s admin form: a checkbox per server, the actions, the backend\'s number', async () => {
  using app = Bun.serve({ port: 0, fetch: () => new Response('ok') })
  await using lb = await startLb(cfg`
    defaults
      mode http
      timeout client 5s
      timeout server 5s
      timeout connect 1s
    listen stats
      bind 127.0.0.1:0
      stats uri /
      stats auth admin:secret
      stats admin if LOCALHOST
    backend app
      server web1 127.0.0.1:${app.port}
      server web2 127.0.0.1:${app.port}`)
  const dom = await domOf(`http://admin:secret@127.0.0.1:${lb.port('stats')}/`)
  const form = /<form method="post" action="\/">([\s\S]*?)<\/form>/.exec(dom)?.[1] ?? ''
  expect(form).toContain('<input type="checkbox" name="s" value="web1">')
  expect(form).toContain('<input type="checkbox" name="s" value="web2">')
  expect(form).toContain('<select name="action">')
  expect(form).toContain('<option value="drain">Set state to DRAIN</option>')
  expect(form).toContain('<input type="hidden" name="b" value="#2">')
  expect(form).toContain('<input type="submit" value="Apply">')
})
