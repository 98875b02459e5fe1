import { join } from 'node:path'
import type { Page, Response } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchChromium, screenshotDir, type LaunchedBrowser } from '../helpers/chromium.ts'
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts'

/**
 * The SDK behind the mock backend's BFF in real Chromium: `bff()` from `@authlens/sdk/bff` on a page
 * served by the same origin as the BFF (the HTTP runtime inside Vite, its issuer the server's own
 * address). Sign-in is a navigation through the provider's login page; the API is called through
 * the proxy across an access-token expiry; sign-out ends the BFF session and the provider's.
 */

let server: FixtureServer
let browser: LaunchedBrowser

beforeAll(async () => {
  server = await startFixtureServer('bff-spa', { issuerFromServer: '127.0.0.1', bff: true }, { sdkEntries: ['@authlens/sdk', '@authlens/sdk/bff'] })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `bff-${name}.png`), fullPage: true })
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/

async function line(page: Page, count: number): Promise<string | null> {
  await page.locator('#log li').nth(count - 1).waitFor()
  return page.locator('#log li').first().textContent()
}

it('B1 B4 B5 the SDK signs in through the BFF (navigation, provider login page, callback), calls the API through the proxy across an access-token expiry without a 401, and signs out of the BFF and the provider', async () => {
  const page = await browser.context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  // Everything the page's origin answered, as the page (or a script in it) could read it.
  const answers: Array<{ url: string; status: number; text: string }> = []
  page.on('response', (response: Response) => {
    void (async () => {
      const headers = Object.entries(await response.allHeaders()).map(([name, value]) => `${name}: ${value}`).join('\n')
      const body = response.status() >= 300 && response.status() < 400 ? '' : await response.text().catch(() => '')
      answers.push({ url: response.url(), status: response.status(), text: `${headers}\n${body}` })
    })()
  })

  await page.goto(`${server.url}/app`)
  await page.locator('#status[data-status="anonymous"]').waitFor()
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByLabel('Username').fill('alice')
  await page.getByLabel('Password').fill('wonderland')
  await shot(page, '1-provider-login')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${server.url}/app?signed-in`)
  await page.locator('#status[data-status="authenticated"]').waitFor()
  expect(await page.locator('#user').textContent()).toBe('u_alice (Alice Liddell)')

  await page.getByRole('button', { name: 'Call the API' }).click()
  expect(await line(page, 1)).toBe('API 200 for u_alice')
  // Past the access token's lifetime (300 s) on the server's clock: the BFF refreshes on its side.
  const clock = await fetch(`${server.url}/__mock/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offsetSeconds: 301 }) })
  expect(clock.status).toBe(200)
  await page.getByRole('button', { name: 'Call the API' }).click()
  expect(await line(page, 2)).toBe('API 200 for u_alice')
  await shot(page, '2-signed-in')

  // B1: nothing the page can read holds a token: its cookies for script, its storage, any answer.
  const readable = await page.evaluate(() => ({ cookie: document.cookie, local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }) }))
  expect(readable.cookie).toMatch(/^BFF-XSRF-TOKEN=[\w-]{43}$/)
  expect(`${readable.local}${readable.session}`).not.toMatch(JWT)
  const cookies = await browser.context.cookies(server.url)
  expect(cookies.find((cookie) => cookie.name === '__Host-bff')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' })

  let stats = await server.stats()
  expect(stats).toMatchObject({ liveBffSessions: 1, bff: { signIns: 1, proxied: 2, refreshes: 1, retriedAfter401: 0 }, unauthorized: 0 })

  await page.getByRole('button', { name: 'Sign out' }).click()
  // The BFF's answer sends the browser to the provider's end_session, which returns it to the app's root.
  await page.waitForURL(`${server.url}/`)
  await page.locator('body[data-settled]').waitFor()
  await page.locator('#status[data-status="anonymous"]').waitFor()
  await shot(page, '3-signed-out')
  stats = await server.stats()
  expect(stats).toMatchObject({ liveBffSessions: 0, bff: { signOuts: 1 } })
  const left = (await browser.context.cookies(server.url)).map((cookie) => cookie.name)
  expect(left).not.toContain('__Host-bff')
  expect(left).not.toContain('__Host-op')

  const proxied = answers.filter((answer) => new URL(answer.url).pathname.startsWith('/bff/api/'))
  expect(proxied.map((answer) => answer.status)).toEqual([200, 200])
  for (const answer of answers) expect(answer.text, answer.url).not.toMatch(JWT)
  expect(pageErrors).toEqual([])
})
