import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startMockHttpServer, type RunningMockServer } from '../../mock-server/src/runtimes/http.ts'
import { launchChromium, screenshotDir, type LaunchedBrowser } from '../helpers/chromium.ts'
import { startPageServer, type PageServer } from '../helpers/fixture-server.ts'
import type { OidcSpaConfig } from './fixtures/oidc-spa/main.ts'

/**
 * SECURITY.md O16 in real Chromium: two tabs of one SPA origin sign in with `@authlens/sdk/oidc`
 * against the mock backend's OpenID Provider (its own origin), and the provider's answers come
 * back crossed, then each to its own tab, then once more. Each tab keeps its sign-in's secrets in
 * its own sessionStorage, which only a real browser gives per tab; the provider counts the codes
 * it was asked to redeem.
 */

const CLIENT_ID = 'authlens-spa'

let spa: PageServer
let op: RunningMockServer
let browser: LaunchedBrowser
let config: OidcSpaConfig

beforeAll(async () => {
  spa = await startPageServer('oidc-spa', { sdkEntries: ['@authlens/sdk', '@authlens/sdk/oidc'] })
  const redirectUri = `${spa.url}/callback`
  const postLogoutRedirectUri = `${spa.url}/signed-out`
  op = await startMockHttpServer({
    passwordHashIterations: 1_000,
    issuerFromServer: true,
    oidcClients: [{ clientId: CLIENT_ID, name: 'AuthLens two-tab SPA', redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri] }],
  })
  config = { issuer: op.url, clientId: CLIENT_ID, redirectUri, postLogoutRedirectUri, scope: 'openid profile', api: `${op.url}/api` }
  browser = await launchChromium()
  await browser.context.addInitScript((given) => {
    window.oidcSpaConfig = given
  }, config)
})

afterAll(async () => {
  await browser?.close()
  await Promise.all([spa?.close(), op?.close()])
})

const codeRedemptions = () => op.backend.snapshot().codeRedemptions
const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `oidc-two-tabs-${name}.png`), fullPage: true })

/** The newest line of the SPA's "what happened" list, once this page has written `count` lines. */
async function line(page: Page, count: number): Promise<string | null> {
  await page.locator('#log li').nth(count - 1).waitFor()
  return page.locator('#log li').first().textContent()
}

async function openTab(n: number): Promise<Page> {
  const page = await browser.context.newPage()
  await page.goto(`${spa.url}/?tab=${n}`)
  await page.locator('#status[data-status="anonymous"]').waitFor()
  return page
}

/**
 * Clicks the tab's sign-in button and, on the provider's page if it shows one, signs in. The
 * provider's answer is held on its way back to the SPA (the tab shows a blank page): returns the
 * callback URL, for the test to deliver where it wants. Playwright routes only the first request
 * of a redirect chain, so the hold is on the provider's redirecting answer, not on the callback.
 */
async function signInHeld(page: Page, loginPage: boolean): Promise<string> {
  const isProvider = (url: URL) => url.origin === new URL(config.issuer).origin
  const held = new Promise<string>((resolve) => {
    void page.route(isProvider, async (route) => {
      if (!route.request().isNavigationRequest()) return route.continue()
      const response = await route.fetch({ maxRedirects: 0 })
      const location = response.headers().location
      if (!location?.startsWith(`${config.redirectUri}?`)) return route.fulfill({ response })
      resolve(location)
      await route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>held</title><p>The provider answered; the test holds the answer.</p>' })
    })
  })
  await page.getByRole('button', { name: 'Sign in' }).click()
  if (loginPage) {
    await page.getByLabel('Username').fill('alice')
    await page.getByLabel('Password').fill('wonderland')
    await shot(page, '1-provider-login')
    await page.getByRole('button', { name: 'Sign in' }).click()
  }
  const callback = await held
  await page.unroute(isProvider)
  return callback
}

it('O16 two tabs each start a login; callbacks arrive crossed, then each to its own tab, then again: each tab completes its own once, the others fail typed (invalid_state), no code is redeemed twice', async () => {
  const tab1 = await openTab(1)
  const tab2 = await openTab(2)
  const pageErrors: string[] = []
  for (const tab of [tab1, tab2]) tab.on('pageerror', (error) => pageErrors.push(error.message))

  // Tab 1 signs in on the provider's page; tab 2, a moment later, is answered at once (SSO).
  const callback1 = await signInHeld(tab1, true)
  const callback2 = await signInHeld(tab2, false)
  expect(new URL(callback1).searchParams.get('code')).not.toBe(new URL(callback2).searchParams.get('code'))
  expect(op.backend.snapshot().authorizations).toBe(2)

  // Crossed: each tab gets the other's answer. Neither holds the other's state: nothing is redeemed.
  await tab1.goto(callback2)
  expect(await line(tab1, 1)).toBe('callback refused: invalid_state')
  await tab2.goto(callback1)
  expect(await line(tab2, 1)).toBe('callback refused: invalid_state')
  expect(codeRedemptions()).toBe(0)
  await shot(tab1, '2-crossed')

  // Each its own: both complete the sign-in they started.
  await tab1.goto(callback1)
  expect(await line(tab1, 1)).toBe('signed in: the sign-in of tab 1')
  await tab2.goto(callback2)
  expect(await line(tab2, 1)).toBe('signed in: the sign-in of tab 2')
  for (const tab of [tab1, tab2]) {
    await tab.locator('#status[data-status="authenticated"]').waitFor()
    expect(await tab.locator('#user').textContent()).toBe('u_alice')
    // The code and state left the address bar (O15).
    expect(tab.url()).toBe(config.redirectUri)
  }
  expect(codeRedemptions()).toBe(2)
  await shot(tab2, '3-each-its-own')

  // Again: the same answers loaded a second time (a reload before the page cleaned its URL, a
  // restored tab). Their sign-ins are spent: refused before any request to the provider.
  await tab1.goto(callback1)
  expect(await line(tab1, 1)).toBe('callback refused: invalid_state')
  await tab2.goto(callback2)
  expect(await line(tab2, 1)).toBe('callback refused: invalid_state')
  // A reload of the cleaned callback page carries no answer at all.
  await tab2.reload()
  await tab2.locator('body[data-settled]').waitFor()
  expect(await tab2.locator('#log li').count()).toBe(0)
  expect(codeRedemptions()).toBe(2)
  await shot(tab1, '4-replayed')
  expect(pageErrors).toEqual([])
})
