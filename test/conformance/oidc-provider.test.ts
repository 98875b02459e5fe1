import { join } from 'node:path'
import type { Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshotDir, type LaunchedBrowser } from '../helpers/chromium.ts'
import { startEgressSpy, type EgressSpy } from '../helpers/egress-spy.ts'
import { startPageServer, type PageServer } from '../helpers/fixture-server.ts'
import { jwksApi } from '../helpers/jwks-api.ts'
import { listenOnLoopback, type LoopbackServer } from '../helpers/loopback-server.ts'
import { createReferenceProvider } from '../helpers/reference-provider.ts'
import type { OidcSpaConfig } from '../e2e/fixtures/oidc-spa/main.ts'

const CLIENT_ID = 'authlens-spa'
const USER = 'alice'
const API_SCOPE = 'api:read'

interface Discovery {
  issuer: string
  authorization_endpoint: string
  token_endpoint: string
  revocation_endpoint: string
  end_session_endpoint: string
  jwks_uri: string
}

/**
 * The SDK's `@authlens/sdk/oidc`, in a small SPA that imports it through its public entries,
 * signs in against `oidc-provider` (an OpenID Certified provider, configured as a deployment
 * would: see reference-provider.ts) in real Chromium, driven as a person would: the SPA's
 * buttons, the provider's own sign-in, consent and sign-out pages. Three loopback origins: the
 * SPA, the provider, and an API that verifies the access tokens with the provider's JWKS.
 *
 * `offline_access` comes with `prompt=consent`: OpenID Connect Core §11 asks the provider to
 * ignore it otherwise, and oidc-provider does. Changing the provider's `issueRefreshToken` policy
 * would also give a refresh token, but that is the provider bending to the client; asking for
 * consent is what the specification prescribes, so the person goes through the consent page.
 */
describe('conformance: the SDK against oidc-provider in real Chromium', () => {
  let spa: PageServer
  let op: LoopbackServer
  let api: LoopbackServer
  let spy: EgressSpy
  let browser: LaunchedBrowser
  let discovery: Discovery
  let config: OidcSpaConfig

  beforeAll(async () => {
    ;[spa, op, api, spy] = await Promise.all([
      startPageServer('oidc-spa', { sdkEntries: ['@authlens/sdk', '@authlens/sdk/oidc'] }),
      listenOnLoopback(),
      listenOnLoopback(),
      startEgressSpy(),
    ])
    const resource = `${api.url}/api`
    config = {
      issuer: op.url,
      clientId: CLIENT_ID,
      redirectUri: `${spa.url}/callback`,
      postLogoutRedirectUri: `${spa.url}/signed-out`,
      scope: `openid offline_access ${API_SCOPE}`,
      api: resource,
      params: { resource },
      prompt: 'consent',
    }
    const provider = await createReferenceProvider(op.url, {
      client: { clientId: CLIENT_ID, redirectUri: config.redirectUri, postLogoutRedirectUri: config.postLogoutRedirectUri },
      api: { resource, scope: API_SCOPE },
      accountId: USER,
    })
    op.serve(provider.callback())
    discovery = (await (await fetch(`${op.url}/.well-known/openid-configuration`)).json()) as Discovery
    api.serve(jwksApi({ issuer: discovery.issuer, jwksUri: discovery.jwks_uri, audience: resource, allowedOrigin: spa.url }))
    // The provider's built-in pages import a web font: through the spy, it never leaves the machine.
    browser = await launchChromium({ args: [`--proxy-server=${spy.proxy}`] })
    await browser.context.addInitScript((given) => {
      window.oidcSpaConfig = given
    }, config)
  })

  afterAll(async () => {
    await browser?.close()
    await Promise.all([spa?.close(), op?.close(), api?.close(), spy?.close()])
  })

  const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `oidc-provider-${name}.png`), fullPage: true })

  /** The newest line of the SPA's "what happened" list, once this page has written `count` lines. */
  async function line(page: Page, count: number): Promise<string | null> {
    await page.locator('#log li').nth(count - 1).waitFor()
    return page.locator('#log li').first().textContent()
  }

  /** A refresh token presented to the provider's token endpoint, as the SPA would: the error it answers, or `ok`. */
  async function redeem(refreshToken: string): Promise<string> {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID }),
    })
    return response.ok ? 'ok' : ((await response.json()) as { error: string }).error
  }

  const refreshTokens = (page: Page) => page.evaluate(() => window.oidcSpaTestOnly.refreshTokens)

  /** Clicks the SPA's sign-in button; on the provider's pages, signs in (unless it remembers the person) and consents. */
  async function signIn(page: Page, expectLoginPage: boolean): Promise<URL> {
    const authorize = page.waitForRequest((request: Request) => request.url().startsWith(discovery.authorization_endpoint))
    await page.getByRole('button', { name: 'Sign in' }).click()
    const request = new URL((await authorize).url())
    if (expectLoginPage) {
      await page.locator('input[name="login"]').waitFor()
      await page.locator('input[name="login"]').fill(USER)
      await page.locator('input[name="password"]').fill('wonderland')
      await shot(page, '1-login')
      await page.getByRole('button', { name: 'Sign-in' }).click()
    }
    await page.getByRole('button', { name: 'Continue' }).waitFor()
    await shot(page, expectLoginPage ? '2-consent' : '5-consent-again')
    await page.getByRole('button', { name: 'Continue' }).click()
    expect(await line(page, 1)).toBe('signed in: the sign-in of tab 1')
    return request
  }

  it('sign-in on its pages (PKCE S256), an API that verifies the JWT access token with its JWKS, refresh with rotation (the old token refused), sign-out: refresh token revoked, end-session confirmed, back at the SPA', async () => {
    const page = await browser.context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${spa.url}/?tab=1`)
    await page.locator('#status[data-status="anonymous"]').waitFor()

    // Sign-in: the request the SDK built, the provider's pages, the callback.
    const authorize = await signIn(page, true)
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: config.redirectUri,
      scope: config.scope,
      code_challenge_method: 'S256',
      resource: config.api,
      prompt: 'consent',
    })
    expect(page.url()).toBe(config.redirectUri)
    expect(await page.locator('#user').textContent()).toBe(USER)
    await page.locator('#status[data-status="authenticated"]').waitFor()

    // The API verifies the access token with the provider's published keys.
    await page.getByRole('button', { name: 'Call the API' }).click()
    expect(await line(page, 2)).toBe(`API 200 for ${USER}`)
    await shot(page, '3-signed-in')

    // Refresh: a new refresh token; the rotated-out one is refused by the provider, and
    // presenting it ends the grant (the new one is refused too: reuse detection).
    await page.getByRole('button', { name: 'Refresh tokens' }).click()
    expect(await line(page, 3)).toBe('tokens refreshed')
    const [first, second, ...more] = await refreshTokens(page)
    expect(more).toEqual([])
    expect(second).toBeTruthy()
    expect(second).not.toBe(first)
    await page.getByRole('button', { name: 'Call the API' }).click()
    expect(await line(page, 4)).toBe(`API 200 for ${USER}`)
    expect(await redeem(first!)).toBe('invalid_grant')
    expect(await redeem(second!)).toBe('invalid_grant')
    await shot(page, '4-refreshed')

    // A new grant: the provider remembers the person (SSO), and asks for consent again.
    await signIn(page, false)
    const [live] = (await refreshTokens(page)).slice(-1)
    await page.getByRole('button', { name: 'Call the API' }).click()
    expect(await line(page, 2)).toBe(`API 200 for ${USER}`)

    // Sign-out: the refresh token is revoked before the browser leaves for the provider, whose
    // confirmation page a person answers.
    const revocations: number[] = []
    page.on('response', (response) => response.url() === discovery.revocation_endpoint && revocations.push(response.status()))
    await page.getByRole('button', { name: 'Sign out' }).click()
    const confirm = page.getByRole('button', { name: 'Yes, sign me out' })
    await confirm.waitFor()
    expect(revocations).toEqual([200])
    expect(page.url().startsWith(discovery.end_session_endpoint)).toBe(true)
    expect(await redeem(live!)).toBe('invalid_grant')
    await shot(page, '6-sign-out-confirmation')
    await confirm.click()
    expect(await line(page, 1)).toBe('back from the provider: signed out')
    expect(page.url()).toBe(config.postLogoutRedirectUri)
    await page.locator('#status[data-status="anonymous"]').waitFor()
    await shot(page, '7-signed-out')

    // The provider's session is over: signing in again shows its sign-in page.
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('input[name="login"]').waitFor()
    expect(pageErrors).toEqual([])
  })

  it('the provider is not in a relaxed mode: an authorization request without PKCE is refused', async () => {
    const url = new URL(discovery.authorization_endpoint)
    for (const [name, value] of Object.entries({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: config.redirectUri, scope: 'openid', state: 's' })) {
      url.searchParams.set(name, value)
    }
    const response = await fetch(url, { redirect: 'manual' })
    const back = new URL(response.headers.get('location')!)
    expect(back.origin + back.pathname).toBe(config.redirectUri)
    expect(back.searchParams.get('error')).toBe('invalid_request')
    expect(back.searchParams.get('code')).toBeNull()
  })
})
