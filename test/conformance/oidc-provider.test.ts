import { join } from 'node:path'
import { decodeJwt } from 'jose'
import type { Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDpopProof, generateDpopKey } from '../../mock-server/test/dpop-proof.ts'
import { launchChromium, screenshotDir, type LaunchedBrowser } from '../helpers/chromium.ts'
import { startEgressSpy } from '../helpers/egress-spy.ts'
import { startPageServer, type PageServer } from '../helpers/fixture-server.ts'
import { jwksApi, type AcceptedProof } from '../helpers/jwks-api.ts'
import { listenOnLoopback } from '../helpers/loopback-server.ts'
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

interface Environment {
  spa: PageServer
  browser: LaunchedBrowser
  discovery: Discovery
  config: OidcSpaConfig
  /** Proofs the API accepted (DPoP flavour). */
  proofs: AcceptedProof[]
  close(): Promise<void>
}

/**
 * Three loopback origins (the SPA, oidc-provider, an API verifying with its JWKS) and a Chromium
 * whose pages know where they are. With `dpop`, the client must use DPoP at the provider and
 * the API, and the SPA signs with `dpop()`.
 */
async function startEnvironment(dpop: boolean): Promise<Environment> {
  const [spa, op, api, spy] = await Promise.all([
    startPageServer('oidc-spa', { sdkEntries: ['@authlens/sdk', '@authlens/sdk/oidc', ...(dpop ? ['@authlens/sdk/dpop'] : [])] }),
    listenOnLoopback(),
    listenOnLoopback(),
    startEgressSpy(),
  ])
  const resource = `${api.url}/api`
  const config: OidcSpaConfig = {
    issuer: op.url,
    clientId: CLIENT_ID,
    redirectUri: `${spa.url}/callback`,
    postLogoutRedirectUri: `${spa.url}/signed-out`,
    scope: `openid offline_access ${API_SCOPE}`,
    api: resource,
    params: { resource },
    prompt: 'consent',
    dpop,
  }
  const provider = await createReferenceProvider(op.url, {
    client: { clientId: CLIENT_ID, redirectUri: config.redirectUri, postLogoutRedirectUri: config.postLogoutRedirectUri },
    api: { resource, scope: API_SCOPE },
    accountId: USER,
    dpop,
  })
  op.serve(provider.callback())
  const discovery = (await (await fetch(`${op.url}/.well-known/openid-configuration`)).json()) as Discovery
  const proofs: AcceptedProof[] = []
  api.serve(
    jwksApi({ issuer: discovery.issuer, jwksUri: discovery.jwks_uri, audience: resource, allowedOrigin: spa.url, ...(dpop && { dpop: { onProof: (proof) => proofs.push(proof) } }) }),
  )
  // The provider's built-in pages import a web font: through the spy, it never leaves the machine.
  const browser = await launchChromium({ args: [`--proxy-server=${spy.proxy}`] })
  await browser.context.addInitScript((given) => {
    window.oidcSpaConfig = given
  }, config)
  return {
    spa,
    browser,
    discovery,
    config,
    proofs,
    close: async () => {
      await browser.close()
      await Promise.all([spa.close(), op.close(), api.close(), spy.close()])
    },
  }
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `oidc-provider-${name}.png`), fullPage: true })

/** The newest line of the SPA's "what happened" list, once this page has written `count` lines. */
async function line(page: Page, count: number): Promise<string | null> {
  await page.locator('#log li').nth(count - 1).waitFor()
  return page.locator('#log li').first().textContent()
}

/**
 * Clicks the SPA's sign-in button; on the provider's pages, signs in (unless it remembers the
 * person) and consents. `shots` names the screenshots taken on the way, if any.
 */
async function signIn(page: Page, discovery: Discovery, expectLoginPage: boolean, shots: { login?: string; consent?: string } = {}): Promise<URL> {
  const authorize = page.waitForRequest((request: Request) => request.url().startsWith(discovery.authorization_endpoint))
  await page.getByRole('button', { name: 'Sign in' }).click()
  const request = new URL((await authorize).url())
  if (expectLoginPage) {
    await page.locator('input[name="login"]').waitFor()
    await page.locator('input[name="login"]').fill(USER)
    await page.locator('input[name="password"]').fill('wonderland')
    if (shots.login) await shot(page, shots.login)
    await page.getByRole('button', { name: 'Sign-in' }).click()
  }
  await page.getByRole('button', { name: 'Continue' }).waitFor()
  if (shots.consent) await shot(page, shots.consent)
  await page.getByRole('button', { name: 'Continue' }).click()
  expect(await line(page, 1)).toBe('signed in: the sign-in of tab 1')
  return request
}

const refreshTokens = (page: Page) => page.evaluate(() => window.oidcSpaTestOnly.refreshTokens)

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
  let env: Environment
  let browser: LaunchedBrowser
  let discovery: Discovery
  let config: OidcSpaConfig
  let spa: PageServer

  beforeAll(async () => {
    env = await startEnvironment(false)
    ;({ browser, discovery, config, spa } = env)
  })

  afterAll(async () => {
    await env?.close()
  })

  /** A refresh token presented to the provider's token endpoint, as the SPA would: the error it answers, or `ok`. */
  async function redeem(refreshToken: string): Promise<string> {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID }),
    })
    return response.ok ? 'ok' : ((await response.json()) as { error: string }).error
  }

  it('sign-in on its pages (PKCE S256), an API that verifies the JWT access token with its JWKS, refresh with rotation (the old token refused), sign-out: refresh token revoked, end-session confirmed, back at the SPA', async () => {
    const page = await browser.context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${spa.url}/?tab=1`)
    await page.locator('#status[data-status="anonymous"]').waitFor()

    // Sign-in: the request the SDK built, the provider's pages, the callback.
    const authorize = await signIn(page, discovery, true, { login: '1-login', consent: '2-consent' })
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
    await signIn(page, discovery, false, { consent: '5-consent-again' })
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

/**
 * The DPoP flavour: the client registered with `dpop_bound_access_tokens` (oidc-provider then
 * refuses its token requests without a proof), nonces demanded at the token endpoint, and an API
 * that accepts only `DPoP` with a proof jose verifies. The SPA signs with `dpop()`.
 */
describe('conformance: the SDK with dpop() against oidc-provider requiring DPoP, in real Chromium', () => {
  let env: Environment

  beforeAll(async () => {
    env = await startEnvironment(true)
  })

  afterAll(async () => {
    await env?.close()
  })

  it('sign-in and refresh with proofs (one nonce challenge answered), access tokens bound to the SDK key, the API verifying each proof, rotation with the same key; a Bearer replay or another key is refused', async () => {
    const { browser, discovery, config, spa, proofs } = env
    const page = await browser.context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    const tokenCalls: { status: number; proof: string | undefined }[] = []
    page.on('response', async (response) => {
      if (response.url() !== discovery.token_endpoint || response.request().method() !== 'POST') return
      tokenCalls.push({ status: response.status(), proof: (await response.request().allHeaders()).dpop })
    })
    await page.goto(`${spa.url}/?tab=1`)
    await page.locator('#status[data-status="anonymous"]').waitFor()

    await signIn(page, discovery, true)
    await page.locator('#status[data-status="authenticated"]').waitFor()
    await page.getByRole('button', { name: 'Call the API' }).click()
    expect(await line(page, 2)).toBe(`API 200 for ${USER}`)

    await page.getByRole('button', { name: 'Refresh tokens' }).click()
    expect(await line(page, 3)).toBe('tokens refreshed')
    await page.getByRole('button', { name: 'Call the API' }).click()
    expect(await line(page, 4)).toBe(`API 200 for ${USER}`)
    await shot(page, 'dpop-refreshed')

    // At the provider: every token request carried a proof; the first was asked for a nonce once.
    expect(tokenCalls.map((call) => call.status)).toEqual([400, 200, 200])
    for (const call of tokenCalls) expect(call.proof).toBeDefined()
    const proofNonces = tokenCalls.map((call) => decodeJwt(call.proof!).nonce)
    expect(proofNonces[0]).toBeUndefined()
    expect(proofNonces[1]).toEqual(expect.any(String))

    // Both access tokens are bound to the key behind every proof the API accepted; the refresh
    // token was rotated, the key kept.
    const accessTokens = await page.evaluate(() => window.oidcSpaTestOnly.accessTokens)
    expect(accessTokens).toHaveLength(2)
    const [first, second] = await refreshTokens(page)
    expect(second).toBeTruthy()
    expect(second).not.toBe(first)
    expect(proofs.map((proof) => [proof.claims.htm, proof.claims.htu])).toEqual([
      ['GET', `${config.api}/me`],
      ['GET', `${config.api}/me`],
    ])
    const [key, ...others] = new Set(proofs.map((proof) => proof.jkt))
    expect(others).toEqual([])
    for (const token of accessTokens) expect(decodeJwt(token).cnf).toEqual({ jkt: key })

    // A thief with the token but not the key: as Bearer, or with a proof of its own key.
    const stolen = accessTokens[1]!
    const url = `${config.api}/me`
    const asBearer = await fetch(url, { headers: { authorization: `Bearer ${stolen}` } })
    expect(asBearer.status).toBe(401)
    expect(asBearer.headers.get('www-authenticate')).toBe('DPoP algs="ES256", error="invalid_token"')
    const thief = await generateDpopKey()
    const otherKey = await fetch(url, { headers: { authorization: `DPoP ${stolen}`, dpop: await createDpopProof(thief, 'GET', url, { accessToken: stolen }) } })
    expect(otherKey.status).toBe(401)
    expect(await otherKey.json()).toMatchObject({ error: 'invalid_dpop_proof' })
    expect(proofs).toHaveLength(2)
    expect(pageErrors).toEqual([])
  })
})
