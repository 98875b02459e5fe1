import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose'
import type { MockBackendOptions } from '../../mock-server/src/config.ts'
import { startMockHttpServer, type RunningMockServer } from '../../mock-server/src/runtimes/http.ts'

const CLIENT_ID = 'conformance-rp'
const REDIRECT_URI = 'http://app.localhost:5173/callback'
const POST_LOGOUT_URI = 'http://app.localhost:5173/signed-out'

/**
 * openid-client (an OpenID Certified relying party, used as shipped) signs in against the mock
 * provider over real HTTP. There is no browser here: a small cookie-keeping fetch plays its part
 * on the provider's pages (GET the login page, POST its form, read the redirect).
 */
describe('conformance: openid-client against the mock OpenID Provider', () => {
  let server: RunningMockServer
  let config: oidc.Configuration
  const browser = new CookieJarBrowser()

  beforeAll(async () => {
    ;({ server, config } = await startProvider())
  })
  afterAll(async () => {
    await server?.close()
  })

  const authorize = (parameters: Record<string, string> = {}) => authorizationRequest(config, parameters)
  const signIn = () => signInWith(config, browser)

  it('discovery: the document is accepted for the issuer it was fetched from', () => {
    const metadata = config.serverMetadata()
    expect(metadata.issuer).toBe(server.url)
    expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true)
  })

  it('code + PKCE: the ID token passes openid-client\'s validation; userinfo agrees; the access token works on /api', async () => {
    const { callback, tokens } = await signIn()
    expect(callback.searchParams.get('iss')).toBe(server.url)
    const claims = tokens.claims()!
    expect(claims).toMatchObject({ iss: server.url, aud: CLIENT_ID, sub: 'u_alice', name: 'Alice Liddell', email: 'alice@authlens.test' })
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.scope).toBe('openid profile email offline_access')
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)
    expect(userinfo).toMatchObject({ sub: 'u_alice', preferred_username: 'alice', email_verified: true })
    const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    expect(me.status).toBe(200)
  })

  it('refresh rotates; the rotated-out token is refused and takes its family with it; revocation ends a refresh token', async () => {
    const { tokens } = await signIn()
    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    expect(rotated.refresh_token).toBeTruthy()
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token)
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    await expect(oidc.refreshTokenGrant(config, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })

    const { tokens: second } = await signIn()
    await oidc.tokenRevocation(config, second.refresh_token!)
    await expect(oidc.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('end_session: the URL openid-client builds signs out at the provider and comes back with state; prompt=none then answers login_required', async () => {
    const { tokens } = await signIn()
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye' })
    const back = await browser.follow(endSession)
    expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT_URI)
    expect(back.searchParams.get('state')).toBe('bye')
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })

    const silent = await authorize({ prompt: 'none' })
    const callback = await browser.follow(silent.url)
    await expect(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: silent.codeVerifier, expectedNonce: silent.nonce, expectedState: silent.state }),
    ).rejects.toMatchObject({ error: 'login_required' })
  })
})

async function startProvider(options: MockBackendOptions = {}) {
  const server = await startMockHttpServer({
    passwordHashIterations: 1_000,
    issuerFromServer: true,
    oidcClients: [{ clientId: CLIENT_ID, name: 'openid-client', redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [POST_LOGOUT_URI] }],
    ...options,
  })
  // openid-client refuses http by default; this issuer is on loopback only, where nothing
  // between the client and the provider can read the traffic, so allowing it here is sound.
  const config = await oidc.discovery(new URL(server.url), CLIENT_ID, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] })
  return { server, config }
}

async function authorizationRequest(config: oidc.Configuration, parameters: Record<string, string> = {}) {
  const codeVerifier = oidc.randomPKCECodeVerifier()
  const nonce = oidc.randomNonce()
  const state = oidc.randomState()
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...parameters,
  })
  return { url, codeVerifier, nonce, state }
}

/** Code + PKCE through the login page, redeemed by openid-client (with DPoP when given a handle). */
async function signInWith(config: oidc.Configuration, browser: CookieJarBrowser, options?: oidc.DPoPOptions) {
  const request = await authorizationRequest(config)
  const callback = await browser.signIn(request.url, 'alice', 'wonderland')
  return {
    callback,
    tokens: await oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: request.codeVerifier, expectedNonce: request.nonce, expectedState: request.state, idTokenExpected: true },
      undefined,
      options,
    ),
  }
}

/**
 * openid-client's own DPoP support (RFC 9449) signs every proof here: what the mock backend accepts
 * was not built to match its own checks. Nonces are required, so openid-client must also learn
 * one from a `use_dpop_nonce` answer and retry, as it does for any server that demands them.
 */
describe('conformance: openid-client with DPoP against the mock provider (nonces required)', () => {
  let server: RunningMockServer
  let config: oidc.Configuration
  const browser = new CookieJarBrowser()

  beforeAll(async () => {
    ;({ server, config } = await startProvider({ dpop: { nonce: true } }))
  })
  afterAll(async () => {
    await server?.close()
  })

  async function dpopSignIn() {
    const keyPair = await oidc.randomDPoPKeyPair()
    const DPoP = oidc.getDPoPHandle(config, keyPair)
    const { tokens } = await signInWith(config, browser, { DPoP })
    return { keyPair, DPoP, tokens }
  }

  it('metadata advertises the proof algorithms, ES256 (openid-client\'s default) among them', () => {
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toContain('ES256')
  })

  it('D7 code + PKCE + DPoP: one retry with the nonce, then a token bound to openid-client\'s key; userinfo and /api accept it with its proofs', async () => {
    const before = (await server.backend.readSnapshot()).dpop
    const { keyPair, DPoP, tokens } = await dpopSignIn()
    expect(tokens.token_type).toBe('dpop')
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)) })
    expect(await oidc.fetchUserInfo(config, tokens.access_token, 'u_alice', { DPoP })).toMatchObject({ sub: 'u_alice', email: 'alice@authlens.test' })
    const api = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(`${server.url}/api/me`), 'GET', undefined, undefined, { DPoP })
    expect(api.status).toBe(200)
    expect(await api.json()).toMatchObject({ via: 'dpop', user: { id: 'u_alice' } })
    const after = (await server.backend.readSnapshot()).dpop
    expect(after.verified - before.verified).toBe(3)
    expect((after.refused.nonce ?? 0) - (before.refused.nonce ?? 0)).toBe(1)
  })

  it('D2 D10 the DPoP-bound token sent as Bearer by openid-client is refused, with both challenges', async () => {
    const { tokens } = await dpopSignIn()
    const refused = await oidc.fetchUserInfo(config, tokens.access_token, 'u_alice').then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(oidc.WWWAuthenticateChallengeError)
    const challenges = (refused as oidc.WWWAuthenticateChallengeError).cause
    expect(challenges.map((challenge) => challenge.scheme)).toEqual(['bearer', 'dpop'])
    expect(challenges[0]!.parameters.error).toBe('invalid_token')
    expect(challenges[1]!.parameters.algs).toContain('ES256')
  })

  it('D8 refresh with openid-client\'s handle rotates and stays bound; a handle with another key gets invalid_grant and the family survives', async () => {
    const { DPoP, tokens } = await dpopSignIn()
    const thief = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair())
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: thief })).rejects.toMatchObject({ error: 'invalid_grant' })
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' })
    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP })
    expect(rotated.token_type).toBe('dpop')
    expect(decodeJwt(rotated.access_token).cnf).toEqual(decodeJwt(tokens.access_token).cnf)
    expect(await oidc.fetchUserInfo(config, rotated.access_token, 'u_alice', { DPoP })).toMatchObject({ sub: 'u_alice' })
  })
})

/** The part of a browser these flows need: cookies per name, manual redirects, the login form. */
class CookieJarBrowser {
  private readonly cookies = new Map<string, string>()

  /**
   * Follows the authorization URL; on the login page, posts its form as the page would. Answers
   * where the provider sends the browser back to: at once when its session is still there (SSO).
   */
  async signIn(url: URL, username: string, password: string): Promise<URL> {
    const page = await this.fetch(url)
    if (page.status === 302) return new URL(page.headers.get('location')!)
    expect(page.status).toBe(200)
    const html = await page.text()
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]
    const field = (name: string) => decodeEntities(new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '')
    const target = new URL(decodeEntities(action ?? ''), url)
    const answer = await this.fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: target.origin },
      body: new URLSearchParams({ request: field('request'), csrf: field('csrf'), username, password }).toString(),
    })
    expect(answer.status).toBe(303)
    return new URL(answer.headers.get('location')!)
  }

  /** One navigation that the provider answers with a redirect: where it points. */
  async follow(url: URL): Promise<URL> {
    const answer = await this.fetch(url)
    expect([302, 303]).toContain(answer.status)
    return new URL(answer.headers.get('location')!)
  }

  private async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '))
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const [name = '', value = ''] = pair.split('=')
      if (/max-age=0/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return response
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
}
