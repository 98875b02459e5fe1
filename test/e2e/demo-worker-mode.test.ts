import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshotDir, type LaunchedBrowser } from '../helpers/chromium.ts'
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
    const page = await browser.context.newPage()
    await page.goto(demo.url)
    await expect.poll(() => page.getByRole('note').textContent()).toMatch(/nothing can be HttpOnly/)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Signed in as Alice Liddell (session cookie)')
    // The limitation the note describes, observed: the session id is readable by any script.
    expect(await page.evaluate(() => document.cookie)).toMatch(/__Host-sid=/)
    await page.screenshot({ path: `${screenshotDir}demo-worker-mode.png`, fullPage: true })
  })
})
