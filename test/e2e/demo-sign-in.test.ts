import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launchChromium, screenshotDir, type LaunchedBrowser } from '../helpers/chromium.ts'
import {
  clearEventLog,
  DEMO_MODES,
  eventLog,
  failedRequests,
  openDemo,
  resetBackend,
  signIn,
  signInStatus,
  signOut,
} from '../helpers/demo-page.ts'
import { startDemoServer } from '../helpers/demo-server.ts'

/** What page JavaScript can read in each mode, as the credential card lists it. */
const READABLE: Record<(typeof DEMO_MODES)[number]['id'], { list: string; holds: RegExp | null }> = {
  session: { list: 'document.cookie', holds: /XSRF-TOKEN/ },
  memory: { list: 'document.cookie', holds: /XSRF-TOKEN/ },
  localStorage: { list: 'localStorage', holds: /authlens:demo-localStorage = \{"accessToken":"eyJ/ },
  sessionStorage: { list: 'sessionStorage', holds: /authlens:demo-sessionStorage = \{"accessToken":"eyJ/ },
  cookie: { list: 'document.cookie', holds: /authlens:demo-cookie = \{"accessToken":"eyJ/ },
}

describe('demo: every auth mode (npm start)', () => {
  let demo: Awaited<ReturnType<typeof startDemoServer>>
  let browser: LaunchedBrowser

  beforeAll(async () => {
    demo = await startDemoServer()
    browser = await launchChromium()
  })

  beforeEach(() => resetBackend(demo.url))

  afterAll(async () => {
    await browser?.close()
    await demo?.close()
  })

  for (const mode of DEMO_MODES) {
    it(`${mode.label}: sign in, see and add notes, refresh without a failed request, sign out`, async () => {
      const { page, problems } = await openDemo(browser.context, demo.url, mode.id)
      expect(await page.getByLabel(mode.label).isChecked()).toBe(true)
      await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
      // The page shows the demo users' credentials; the ones typed below are among them.
      for (const shown of ['alice', 'wonderland', 'bob', 'builder-bob', 'carol', 'carol-admin']) {
        expect(await page.getByRole('cell', { name: shown, exact: true }).isVisible()).toBe(true)
      }

      await signIn(page, 'alice', 'wonderland', 'Alice Liddell')
      await expect.poll(() => page.getByText('No notes yet. Add one below.').isVisible()).toBe(true)
      await clearEventLog(page)

      const text = `Note written in ${mode.id} mode`
      await page.getByLabel('New note').fill(text)
      await page.getByRole('button', { name: 'Add note' }).click()
      await expect.poll(() => page.getByRole('list', { name: 'Notes' }).textContent()).toContain(text)

      // The live credential card.
      await expect.poll(() => page.getByLabel('Time left').textContent()).toMatch(/^\d{1,2}:\d{2}$/)
      if (mode.jwt) {
        expect(await page.getByText('signature not verified').isVisible()).toBe(true)
        expect(await page.getByRole('definition').filter({ hasText: 'Alice Liddell' }).count()).toBe(1)
      }
      const readable = READABLE[mode.id]
      const list = await page.getByRole('list', { name: readable.list }).textContent()
      if (readable.holds) expect(list).toMatch(readable.holds)
      // HttpOnly cookies are sent but never readable: neither the session id nor the refresh token.
      expect(await page.evaluate(() => document.cookie)).not.toMatch(/sid=|rt=/)

      await page.getByRole('button', { name: 'Refresh now' }).click()
      const refreshed = mode.jwt ? /SDK refresh valid until/ : /Demo session re-read GET \/api\/session/
      await expect.poll(() => eventLog(page)).toMatch(refreshed)
      await expect.poll(() => eventLog(page)).toMatch(mode.jwt ? /HTTP POST \/api\/auth\/refresh 200/ : /HTTP GET \/api\/session 200/)
      // Everything after the sign-in went through at the first attempt: no 401, no retry.
      const log = await eventLog(page)
      expect(failedRequests(log)).toEqual([])
      expect(log).not.toMatch(/refresh-failed|unauthorized/)
      // Beside the time the page waited, the server's own share, step by step (Server-Timing).
      const spent = '[\\d.,]+ (?:µs|ms)'
      expect(log).toMatch(
        new RegExp(`HTTP POST /api/notes 201 \\d+ ms · server: ${mode.jwt ? `verify ${spent} \\(ES256\\), store ${spent} \\(memory\\)` : `lookup ${spent} \\(memory\\)`}`),
      )
      await page.screenshot({ path: `${screenshotDir}demo-${mode.id}-signed-in.png`, fullPage: true })

      await signOut(page)
      await expect.poll(() => eventLog(page)).toMatch(/SDK logout reason: user/)
      expect(await page.getByLabel('Username').isVisible()).toBe(true)
      expect(problems).toEqual([])
      await page.close()
    })
  }

  it('signs in with the keyboard alone, and says plainly when the password is wrong', async () => {
    const { page, problems } = await openDemo(browser.context, demo.url, 'memory')
    await page.getByLabel('Username').focus()
    await page.keyboard.type('alice')
    await page.keyboard.press('Tab')
    await page.keyboard.type('not-the-password')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Sign-in failed: wrong username or password.')
    expect(await signInStatus(page).textContent()).toBe('Signed out')

    // What was typed survives the failed attempt: only the password needs retyping.
    expect(await page.getByLabel('Username').inputValue()).toBe('alice')
    await page.getByLabel('Password').focus()
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('wonderland')
    await page.keyboard.press('Enter')
    await expect.poll(() => signInStatus(page).textContent()).toBe('Signed in as Alice Liddell')
    await signOut(page)
    expect(problems).toEqual([])
    await page.close()
  })

  it('switching the auth mode replaces the client and keeps the mode in the URL', async () => {
    const { page, problems } = await openDemo(browser.context, demo.url, 'memory')
    await page.getByLabel('JWT in localStorage').check()
    await expect.poll(() => new URL(page.url()).searchParams.get('mode')).toBe('localStorage')
    const log = await eventLog(page)
    expect(log).toMatch(/Demo client destroyed JWT in memory/)
    expect(log).toMatch(/Demo client created JWT in localStorage; notes API through axios/)
    // A reload (or a second tab) opens in the chosen mode.
    await page.reload()
    expect(await page.getByLabel('JWT in localStorage').isChecked()).toBe(true)
    expect(problems).toEqual([])
    await page.close()
  })

  it('opens the comparison lab ready to run, with its experiments listed and no results before a run', async () => {
    const { page, problems } = await openDemo(browser.context, demo.url, 'memory')
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Comparison lab' }).click()
    const lab = page.getByRole('region', { name: 'Comparison lab' })
    await expect.poll(() => lab.getByRole('status', { name: 'Lab status' }).textContent()).toBe('Not run yet: 12 experiments ready')
    expect(await lab.getByRole('button', { name: 'Run all experiments' }).isEnabled()).toBe(true)
    expect(await lab.getByRole('button', { name: 'Export JSON' }).isDisabled()).toBe(true)
    expect(await lab.getByRole('listitem').count()).toBe(12)
    // Nothing measured live yet: no results table, no chart (the recorded scale-out results are a region of their own).
    expect(await lab.getByRole('table').count()).toBe(0)
    expect(await page.getByRole('img', { name: /Chart/ }).count()).toBe(0)
    await page.screenshot({ path: `${screenshotDir}demo-lab-initial.png`, fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  })
})
