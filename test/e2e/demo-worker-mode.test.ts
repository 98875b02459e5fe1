import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshotDir, type LaunchedBrowser } from '../helpers/chromium.ts'
import { appBUrl, BFF_MODE, breakIt, DPOP_MODE, eventLog, OIDC_MODE, openDemo, signIn } from '../helpers/demo-page.ts'
import { startDemoServer } from '../helpers/demo-server.ts'

/** The browser runtime: the same handlers in MSW's service worker, no server behind the page. */
describe('demo with the backend in a service worker', () => {
  let demo: Awaited<ReturnType<typeof startDemoServer>>
  let browser: LaunchedBrowser

  beforeAll(async () => {
    demo = await startDemoServer('worker')
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await demo?.close()
  })

  it('signs in through the worker and says plainly that HttpOnly cannot hold there', async () => {
    const { page, problems } = await openDemo(browser.context, demo.url, 'session')
    await expect.poll(() => page.getByRole('note').textContent()).toMatch(/nothing can be HttpOnly/)
    await signIn(page, 'alice', 'wonderland', 'Alice Liddell')
    await expect.poll(() => page.getByText('No notes yet. Add one below.').isVisible()).toBe(true)
    // The handlers run in this page here, and still report their own work (Server-Timing).
    expect(await eventLog(page)).toMatch(/HTTP POST \/api\/session\/login 200 \d+ ms · server: password [\d.,]+ (ms|µs) \(PBKDF2-SHA256\), store \d+ µs \(memory\)/)

    // The limitation the note describes, observed: the session id is readable by any script, and
    // the credential card shows it among what page JavaScript can read.
    expect(await page.evaluate(() => document.cookie)).toMatch(/__Host-sid=/)
    expect(await page.getByRole('list', { name: 'document.cookie' }).textContent()).toMatch(/__Host-sid = /)
    expect(await page.getByText(/With a real server, the session id would be HttpOnly/).isVisible()).toBe(true)
    await page.screenshot({ path: `${screenshotDir}demo-worker-mode.png`, fullPage: true })
    expect(problems).toEqual([])
  })

  it('offers the OIDC and BFF modes and app B disabled, with the reason: the provider pages are navigations', async () => {
    const { page, problems } = await openDemo(browser.context, demo.url, BFF_MODE.id)
    // Asked for in the URL, but not offered: the page falls back to the default mode.
    for (const mode of [OIDC_MODE, BFF_MODE]) {
      expect(await page.getByLabel(mode.label).isDisabled()).toBe(true)
      expect(await page.getByLabel(mode.label).isChecked()).toBe(false)
    }
    expect(await page.getByText(/unavailable: needs npm start: the provider’s pages are navigations, and a service worker cannot answer them/).count()).toBe(2)
    await page.goto(appBUrl(demo.url))
    expect(await page.getByRole('note').textContent()).toMatch(/App B needs npm start/)
    expect(await page.getByRole('button', { name: /Sign in/ }).count()).toBe(0)
    expect(problems).toEqual([])
  })

  it('DPoP mode works in the worker (proofs made in the page, checked by the handlers there); the replay from another machine says it needs npm start', async () => {
    const { page, problems } = await openDemo(browser.context, demo.url, DPOP_MODE.id)
    expect(await page.getByLabel(DPOP_MODE.label).isChecked()).toBe(true)
    await signIn(page, 'alice', 'wonderland', 'Alice Liddell')
    await expect.poll(() => page.getByText('No notes yet. Add one below.').isVisible()).toBe(true)
    expect(await eventLog(page)).toMatch(/HTTP GET \/api\/notes 200 .*dpop [\d.,]+ (µs|ms) \(proof\).* · sent Authorization: DPoP \+ DPoP proof/)
    await expect.poll(() => page.getByText('same key').isVisible()).toBe(true)
    const replay = breakIt(page, 'Replay the token without its key')
    expect(await replay.getByRole('button', { name: 'Replay from elsewhere' }).isDisabled()).toBe(true)
    expect(await replay.textContent()).toMatch(/Needs npm start: the replay is sent by the dev server, from outside the page/)
    expect(problems).toEqual([])
    await page.close()
  })

  it('marks the lab experiments that need the HTTP server as not available instead of failing them', async () => {
    const { page } = await openDemo(browser.context, demo.url, 'memory')
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Comparison lab' }).click()
    const lab = page.getByRole('region', { name: 'Comparison lab' })
    await lab.getByRole('button', { name: 'Run all experiments' }).click()
    await expect.poll(() => lab.getByRole('status', { name: 'Lab status' }).textContent(), { timeout: 120_000 }).toMatch(/^Finished: /)
    const table = lab.getByRole('table')
    // Server heap, a server's clock, a second site, a cross-site form: none of these exist without a server process.
    for (const claim of [/Sessions need server memory per active user/, /JWTs are faster/, /Bearer tokens cross origins easily/, /Cookie sessions are open to CSRF/, /JWTs can be used for SSO/, /A token stolen from the browser by XSS works from another machine/, /Sessions or JWTs: a session cookie keeps/]) {
      const text = await table.getByRole('row', { name: claim }).innerText()
      expect(text, text).toMatch(/not available[\s\S]*Not available in the worker build: /)
    }
    expect(await table.innerText()).not.toMatch(/\bfailed\b/)
    await page.close()
  }, 180_000)
})
