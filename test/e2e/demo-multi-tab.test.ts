import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { screenshotDir } from '../helpers/chromium.ts'
import {
  clearEventLog,
  eventLog,
  failedRequests,
  openDemo,
  signIn,
  signInStatus,
  signOut,
  watchConsole,
  useDemoSession,
} from '../helpers/demo-page.ts'

/** The access tokens live 30 s and the demo's leeway is 10 s: the SDK refreshes about 20 s after sign-in. */
const PROACTIVE_REFRESH_MS = 28_000

describe('demo: two tabs', () => {
  const session = useDemoSession()

  /** Follows the page's own "Open a second tab" link. */
  const openSecondTab = async (page: Page): Promise<{ second: Page; problems: string[] }> => {
    const [second] = await Promise.all([session.browser.context.waitForEvent('page'), page.getByRole('link', { name: 'Open a second tab' }).click()])
    return { second, problems: watchConsole(second) }
  }

  it('JWT in memory: the second tab signs in from the first, shares its refresh, and follows its sign-out and sign-in', async () => {
    const { page: first, problems } = await openDemo(session.browser.context, session.demo.url, 'memory')
    await signIn(first, 'carol', 'carol-admin', 'Carol Admin')
    const { second, problems: secondProblems } = await openSecondTab(first)
    expect(new URL(second.url()).searchParams.get('mode')).toBe('memory')
    await expect.poll(() => signInStatus(second).textContent()).toBe('Signed in as Carol Admin')
    await clearEventLog(first)
    await clearEventLog(second)

    // Nobody clicks anything: the SDK refreshes before the 30 s token expires, once for both tabs.
    await expect
      .poll(async () => `${await eventLog(first)}\n${await eventLog(second)}`, { timeout: PROACTIVE_REFRESH_MS, interval: 500 })
      .toMatch(/SDK refresh valid until/)
    await expect.poll(async () => `${await eventLog(first)}\n${await eventLog(second)}`).toMatch(/SDK cross-tab from another tab: tokens/)
    const logs = `${await eventLog(first)}\n${await eventLog(second)}`
    expect(logs.match(/HTTP POST \/api\/auth\/refresh 200/g)).toHaveLength(1)
    expect(failedRequests(logs)).toEqual([])
    await second.bringToFront()
    await second.screenshot({ path: `${screenshotDir}demo-second-tab.png` })

    await signOut(second)
    await expect.poll(() => signInStatus(first).textContent()).toBe('Signed out')
    expect(await eventLog(first)).toMatch(/SDK logout reason: cross-tab/)

    await signIn(first, 'alice', 'wonderland', 'Alice Liddell')
    await expect.poll(() => signInStatus(second).textContent()).toBe('Signed in as Alice Liddell')
    expect(await eventLog(second)).toMatch(/SDK cross-tab from another tab: login/)
    expect([...problems, ...secondProblems]).toEqual([])
  })

  it('session: sign-out in one tab signs the other out', async () => {
    const { page: first, problems } = await openDemo(session.browser.context, session.demo.url, 'session')
    await signIn(first, 'bob', 'builder-bob', 'Bob Builder')
    const { second, problems: secondProblems } = await openSecondTab(first)
    await expect.poll(() => signInStatus(second).textContent()).toBe('Signed in as Bob Builder')

    await first.bringToFront()
    await signOut(first)
    await expect.poll(() => signInStatus(second).textContent()).toBe('Signed out')
    expect(await eventLog(second)).toMatch(/SDK cross-tab from another tab: logout/)
    expect([...problems, ...secondProblems]).toEqual([])
  })
})
