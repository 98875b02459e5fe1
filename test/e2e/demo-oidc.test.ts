import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { screenshotDir } from '../helpers/chromium.ts'
import { appBUrl, eventLog, failedRequests, OIDC_MODE, openDemo, runBreakIt, signInAtProvider, signInStatus, useDemoSession, watchConsole } from '../helpers/demo-page.ts'

/** Back from the provider: a page load or two in Vite's dev mode, then the code exchange. */
const signedInAsAlice = (page: Page) => expect.poll(() => signInStatus(page).textContent(), { timeout: 15_000 }).toMatch(/^Signed in as Alice Liddell/)

const steps = (page: Page) => page.getByRole('list', { name: 'Sign-in steps' }).innerText()

/** The definitions (claim values) under one heading of the credential card. */
const claimsUnder = (page: Page, heading: string) =>
  page.getByRole('region', { name: 'Credential' }).locator('.token').filter({ has: page.getByRole('heading', { name: heading }) }).locator('dl').last().innerText()

/** Every password the provider's sign-in page received from this page (`POST /oauth/login`). */
function countPasswordsSent(page: Page): { count: number } {
  const counter = { count: 0 }
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/oauth/login') counter.count++
  })
  return counter
}

describe('demo: OpenID Connect mode, and single sign-on across two origins (npm start)', () => {
  const session = useDemoSession()

  it('sign in at the provider, back where it began; ID and access token apart; notes; a reload signs in again through the provider session, without a password; sign-out ends the provider session', async () => {
    const { context } = session.browser
    const { page, problems } = await openDemo(context, session.demo.url, OIDC_MODE.id)
    expect(await page.getByLabel(OIDC_MODE.label).isChecked()).toBe(true)
    await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
    // No password form in this mode: the provider asks for it.
    expect(await page.getByLabel('Password').count()).toBe(0)

    const passwords = countPasswordsSent(page)
    await page.getByRole('button', { name: 'Sign in with AuthLens ID' }).click()
    await signInAtProvider(page, 'alice', 'wonderland')
    await signedInAsAlice(page)
    // Back on the page it left, with no code or state left in the address bar.
    await expect.poll(() => new URL(page.url()).pathname + new URL(page.url()).search).toBe('/?mode=oidc')

    const trip = await steps(page)
    expect(trip).toMatch(/App A → provider: GET http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize/)
    expect(trip).toMatch(/Provider → App A: \/callback\?code=\S+…\S+&state=\S+&iss=http/)
    expect(trip).toMatch(/via the provider's sign-in page on 127\.0\.0\.1:\d+: a password was typed there/)
    expect(trip).toMatch(/App A → provider: POST \/oauth\/token 200 .*same origin, no cookies/)
    expect(trip).toMatch(/App A: signed in as Alice Liddell \d+ ms after leaving/)

    // Two tokens, two audiences: the ID token is this app's, the access token the API's.
    const idToken = await claimsUnder(page, 'ID token')
    expect(idToken).toMatch(/aud\s+authlens-demo\b/)
    expect(idToken).toMatch(/auth_time\s+\d+/)
    const accessToken = await claimsUnder(page, 'Access token')
    expect(accessToken).toMatch(/aud\s+authlens-api/)
    expect(accessToken).toMatch(/client_id\s+authlens-demo\b/)
    const card = await page.getByRole('region', { name: 'Credential' }).innerText()
    expect(card).toMatch(/Refresh token: held in memory of this page, rotated at every refresh\. Its value is not shown\./)

    await page.getByLabel('New note').fill('Written after an OIDC sign-in')
    await page.getByRole('button', { name: 'Add note' }).click()
    await expect.poll(() => page.getByRole('list', { name: 'Notes' }).textContent()).toContain('Written after an OIDC sign-in')
    await page.screenshot({ path: `${screenshotDir}demo-oidc-signed-in.png`, fullPage: true })

    // The tokens live in memory, so a reload loses them; the provider's session signs this tab in
    // again (prompt=none), with no password and no page, and the new refresh token works.
    await page.reload()
    await signedInAsAlice(page)
    await expect.poll(() => steps(page)).toMatch(/App A: signed in as Alice Liddell \d+ ms after leaving/)
    expect(passwords.count).toBe(1)
    await page.getByRole('button', { name: 'Refresh now' }).click()
    await expect.poll(() => eventLog(page), { timeout: 10_000 }).toMatch(/HTTP POST \/oauth\/token 200/)
    await expect.poll(() => page.getByRole('list', { name: 'Notes' }).textContent()).toContain('Written after an OIDC sign-in')
    expect(failedRequests(await eventLog(page))).toEqual([])

    // Sign-out goes through the provider's end-session and back; the provider forgot this browser.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${session.demo.url}/?mode=oidc`)
    await expect.poll(() => signInStatus(page).textContent(), { timeout: 15_000 }).toBe('Signed out')
    expect(await page.getByLabel(OIDC_MODE.label).isChecked()).toBe(true)
    await page.getByRole('button', { name: 'Sign in with AuthLens ID' }).click()
    await page.waitForURL(/\/oauth\/authorize\?/)
    expect(await page.getByLabel('Password').isVisible()).toBe(true)
    expect(problems).toEqual([])
  })

  it('single sign-on: A signs in with a password, B on another origin with none; signing out in A signs B out at its next refresh', async () => {
    const { context } = session.browser
    const { page: a, problems } = await openDemo(context, session.demo.url, OIDC_MODE.id)
    const passwordsFromA = countPasswordsSent(a)
    await a.getByRole('button', { name: 'Sign in with AuthLens ID' }).click()
    await signInAtProvider(a, 'alice', 'wonderland')
    await signedInAsAlice(a)
    const authTimeA = (await claimsUnder(a, 'ID token')).match(/auth_time\s+(\d+)/)?.[1]

    const b = await context.newPage()
    problems.push(...watchConsole(b))
    const passwordsFromB = countPasswordsSent(b)
    await b.goto(appBUrl(session.demo.url))
    expect(new URL(b.url()).origin).not.toBe(new URL(a.url()).origin)
    await expect.poll(() => signInStatus(b).textContent()).toBe('Signed out')
    await b.getByRole('button', { name: 'Sign in (single sign-on)' }).click()
    await signedInAsAlice(b)
    expect(passwordsFromA.count).toBe(1)
    expect(passwordsFromB.count).toBe(0)

    const trip = await steps(b)
    expect(trip).toMatch(/App B → provider: GET http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize \(prompt=none\)/)
    expect(trip).toMatch(/Provider → App B: \/app-b\/\?code=\S+ .*no sign-in page: the provider knew this browser by its session cookie on 127\.0\.0\.1:\d+ and redirected at once/)
    expect(trip).toMatch(/App B → provider: POST \/oauth\/token 200 .*cross-origin \(CORS\), no cookies/)
    // B's ID token is B's own, from the same sign-in at the provider as A's.
    const idTokenB = await claimsUnder(b, 'ID token')
    expect(idTokenB).toMatch(/aud\s+authlens-demo-b/)
    expect(authTimeA).toMatch(/^\d+$/)
    expect(idTokenB).toMatch(new RegExp(`auth_time\\s+${authTimeA}\\b`))
    await b.screenshot({ path: `${screenshotDir}demo-oidc-app-b-single-sign-on.png`, fullPage: true })

    await a.bringToFront()
    await a.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => signInStatus(a).textContent()).toBe('Signed out')

    // B still holds its tokens; its next refresh meets the family the provider revoked at A's sign-out.
    await b.bringToFront()
    await b.getByRole('button', { name: 'Refresh now' }).click()
    await expect.poll(() => signInStatus(b).textContent()).toBe('Signed out')
    expect(await b.getByRole('note', { name: 'Why signed out' }).textContent()).toMatch(/the provider refused the refresh \(refresh: 400 invalid_grant: .+\)/)
    await expect.poll(() => eventLog(b)).toMatch(/HTTP POST \/oauth\/token 400/)
    await b.screenshot({ path: `${screenshotDir}demo-oidc-app-b-signed-out.png`, fullPage: true })
    expect(problems.filter((problem) => !/oauth\/token/.test(problem))).toEqual([])
  })

  it('the tokens stay in the SDK\'s memory: an XSS read of storage finds none, and there is no refresh token a script could replay', async () => {
    const { page, problems } = await openDemo(session.browser.context, session.demo.url, OIDC_MODE.id)
    await page.getByRole('button', { name: 'Sign in with AuthLens ID' }).click()
    await signInAtProvider(page, 'alice', 'wonderland')
    await signedInAsAlice(page)
    expect(await runBreakIt(page, 'Simulate an XSS read of storage')).toMatch(/No token in any storage a script can list/)
    const replay = page.getByRole('region', { name: 'Replay an old refresh token' })
    expect(await replay.getByRole('button', { name: 'Steal and replay' }).isDisabled()).toBe(true)
    expect(await replay.textContent()).toMatch(/in the memory of the SDK: no script can copy it/)
    expect(problems).toEqual([])
  })
})
