import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { screenshotDir } from '../helpers/chromium.ts'
import { BFF_MODE, clearEventLog, eventLog, failedRequests, openDemo, runBreakIt, signInAtProvider, signInStatus, useDemoSession } from '../helpers/demo-page.ts'

/** Back from the provider through the BFF's callback: a page load or two in Vite's dev mode. */
const signedInAsAlice = (page: Page) => expect.poll(() => signInStatus(page).textContent(), { timeout: 15_000 }).toMatch(/^Signed in as Alice Liddell/)

interface BffStats {
  liveBffSessions: number
  bff: { signIns: number; signOuts: number; proxied: number; refreshes: number }
}

async function stats(baseUrl: string): Promise<BffStats> {
  const response = await fetch(`${baseUrl}/__mock/stats`)
  return (await response.json()) as BffStats
}

/** What any script in the page can read, as the XSS-read break-it reads it. */
const scriptReadable = (page: Page) =>
  page.evaluate(() => ({
    cookies: document.cookie,
    localStorage: JSON.stringify({ ...localStorage }),
    sessionStorage: JSON.stringify({ ...sessionStorage }),
  }))

/** A compact JWS (what the provider's access and ID tokens are), anywhere in a text. */
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/

describe('demo: BFF mode, tokens kept by the backend-for-frontend (npm start)', () => {
  const session = useDemoSession()

  it('B1 B4 B5 sign in through the BFF at the provider; notes through the proxy; no token in the page; an expiry behind the BFF is refreshed there with no 401 here; sign-out ends the BFF and the provider session', async () => {
    const { context } = session.browser
    const { page, problems } = await openDemo(context, session.demo.url, BFF_MODE.id)
    expect(await page.getByLabel(BFF_MODE.label).isChecked()).toBe(true)
    await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
    expect(await page.getByLabel('Password').count()).toBe(0)

    await page.getByRole('button', { name: 'Sign in with AuthLens ID' }).click()
    await signInAtProvider(page, 'alice', 'wonderland')
    await signedInAsAlice(page)
    // Back where it began: the BFF's callback redirected to the page's returnTo.
    await expect.poll(() => new URL(page.url()).pathname + new URL(page.url()).search).toBe('/?mode=bff')
    expect((await stats(session.demo.url)).bff.signIns).toBe(1)

    await page.getByLabel('New note').fill('Written through the BFF')
    await page.getByRole('button', { name: 'Add note' }).click()
    await expect.poll(() => page.getByRole('list', { name: 'Notes' }).textContent()).toContain('Written through the BFF')
    const log = await eventLog(page)
    expect(log).toMatch(/HTTP POST \/bff\/api\/notes 201 .*sent CSRF header \+ cookies/)
    expect(log).toMatch(/HTTP GET \/bff\/api\/notes 200/)
    expect(log).not.toMatch(/Bearer/)

    // B1: the page can read a CSRF token and nothing else; the session cookie is HttpOnly.
    const readable = await scriptReadable(page)
    expect(readable.cookies.split('; ').map((pair) => pair.split('=')[0])).toEqual(['BFF-XSRF-TOKEN'])
    expect(JSON.stringify(readable)).not.toMatch(JWT)
    const bffCookie = (await context.cookies(session.demo.url)).find((cookie) => cookie.name === '__Host-bff')
    expect(bffCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' })
    expect(await runBreakIt(page, 'Simulate an XSS read of storage')).toMatch(/No token to take: the BFF keeps the access and refresh token on the server/)
    const card = page.getByRole('region', { name: 'Credential' })
    const cardText = await card.innerText()
    expect(cardText).toMatch(/This page holds no token\./)
    const record = await page.getByRole('definition').filter({ hasText: 'held by the BFF' }).allInnerTexts()
    expect(record).toEqual([expect.stringMatching(/^held by the BFF, expires \d\d:\d\d:\d\d server time/), 'held by the BFF, never sent to this page'])
    expect(cardText).not.toMatch(JWT)
    expect(await page.content()).not.toMatch(JWT)
    await page.screenshot({ path: `${screenshotDir}demo-bff-signed-in.png`, fullPage: true })

    // B4: the access token in the BFF's record expires; the BFF refreshes at the provider, the page sees 200.
    const before = await stats(session.demo.url)
    await clearEventLog(page)
    const expired = await runBreakIt(page, 'Expire the token now')
    expect(expired).toMatch(/Nothing for this page to notice: the BFF refreshed the token on the server/)
    expect(expired).toMatch(/GET \/bff\/api\/notes 200/)
    expect(expired).toMatch(/The BFF refreshed 1 time at the provider/)
    expect((await stats(session.demo.url)).bff.refreshes).toBe(before.bff.refreshes + 1)
    const afterExpiry = await eventLog(page)
    expect(failedRequests(afterExpiry)).toEqual([])
    expect(afterExpiry).not.toMatch(/\b401\b/)
    expect(await signInStatus(page).textContent()).toMatch(/^Signed in as Alice Liddell/)
    await page.screenshot({ path: `${screenshotDir}demo-bff-expired-behind-the-bff.png`, fullPage: true })

    // B5: the BFF session goes, then the browser visits the provider's end-session and comes back.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${session.demo.url}/?mode=bff`)
    await expect.poll(() => signInStatus(page).textContent(), { timeout: 15_000 }).toBe('Signed out')
    const after = await stats(session.demo.url)
    expect(after.liveBffSessions).toBe(0)
    expect(after.bff.signOuts).toBe(1)
    expect((await context.cookies(session.demo.url)).map((cookie) => cookie.name)).not.toContain('__Host-bff')
    // The provider forgot this browser: signing in again asks for the password.
    await page.getByRole('button', { name: 'Sign in with AuthLens ID' }).click()
    await page.waitForURL(/\/oauth\/authorize\?/)
    expect(await page.getByLabel('Password').isVisible()).toBe(true)
    expect(problems).toEqual([])
  })
})
