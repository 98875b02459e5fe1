import { createAuthClient, jwt, type AuthClient, type AuthEventName } from '@authlens/sdk'
import { oidc, type OidcOptions } from '@authlens/sdk/oidc'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakePage, type FakePage } from '../helpers/fake-page.ts'
import { CLIENT_ID, createTestProvider, ISSUER, REDIRECT_URI, type Misbehaviour, type TestProvider } from '../helpers/oidc-test-provider.ts'
import { advanceClock, expectAuthError, freezeClock } from '../helpers/refresh-kit.ts'

/**
 * `jwt({ login: oidc({ ... }) })` against a test provider (msw handlers, ID tokens signed by
 * jose) that can misbehave, in a fake page (location, history, sessionStorage). SECURITY.md O11–O20.
 */

const APP = 'https://app.test/'
const clients: AuthClient[] = []
let provider: TestProvider
let page: FakePage

async function setup(misbehaviour: Misbehaviour = {}, options: Partial<OidcOptions> = {}) {
  provider = await createTestProvider(misbehaviour)
  page = fakePage(APP)
  page.enter()
  return { auth: client(options) }
}

function client(options: Partial<OidcOptions> = {}) {
  const auth = createAuthClient({
    baseURL: 'https://api.test/api',
    fetch: provider.fetch,
    strategy: jwt({ login: oidc({ issuer: ISSUER, clientId: CLIENT_ID, redirectUri: REDIRECT_URI, scope: 'openid profile offline_access', postLogoutRedirectUri: APP, ...options }) }),
  })
  clients.push(auth)
  return auth
}

/** login() in the current page, the provider's redirect back, and the URL it sends the browser to. */
async function roundTrip(auth: AuthClient, options: Parameters<AuthClient['login']>[0] = undefined, authorize: Parameters<TestProvider['authorize']>[1] = {}) {
  await auth.login(options)
  const back = await provider.authorize(page.navigations.at(-1)!, authorize)
  page.visit(back)
  return back
}

function record(auth: AuthClient, names: AuthEventName[] = ['login', 'logout', 'error', 'refresh']) {
  const seen: { name: AuthEventName; payload: unknown }[] = []
  for (const name of names) auth.on(name, (payload: unknown) => seen.push({ name, payload }))
  return seen
}

beforeEach(() => {
  vi.unstubAllGlobals()
})
afterEach(() => {
  for (const auth of clients.splice(0)) auth.destroy()
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('oidc(): sign-in with the code flow and PKCE', () => {
  it('login() goes to the discovered authorization endpoint with code, PKCE S256, state, nonce, and the options passed through', async () => {
    const { auth } = await setup()
    await auth.login({ prompt: 'login', loginHint: 'alice@example.com', maxAge: 600, params: { ui_locales: 'fr' } })

    expect(page.navigations).toHaveLength(1)
    const url = new URL(page.navigations[0]!)
    expect(url.origin + url.pathname).toBe(`${ISSUER}/authorize`)
    const q = Object.fromEntries(url.searchParams)
    expect(q).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile offline_access',
      code_challenge_method: 'S256',
      prompt: 'login',
      login_hint: 'alice@example.com',
      max_age: '600',
      ui_locales: 'fr',
    })
    for (const secret of ['state', 'nonce', 'code_challenge']) expect(q[secret]).toMatch(/^[\w-]{43}$/)
    // The verifier stays in this tab, under a key derived from the state; it never travels.
    expect([...page.items.keys()]).toEqual([`authlens:oidc:${q.state}`])
    expect(JSON.stringify(q)).not.toContain(JSON.parse(page.items.get(`authlens:oidc:${q.state}`)!).verifier)
  })

  it('the callback redeems the code (form-encoded, client_id, code_verifier, redirect_uri), signs in as the ID token user and resolves with the appState', async () => {
    const { auth } = await setup()
    const events = record(auth)
    await roundTrip(auth, { appState: { returnTo: '/notes?page=2' } })

    await expect(auth.handleRedirectCallback()).resolves.toEqual({ appState: { returnTo: '/notes?page=2' } })

    const [request] = provider.codeRequests()
    expect(request).toMatchObject({ grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, contentType: 'application/x-www-form-urlencoded' })
    expect(request!.code_verifier).toMatch(/^[\w-]{43}$/)
    const state = auth.getState()
    // The user is the ID token's claims; the access token is opaque.
    expect(state).toMatchObject({ status: 'authenticated', user: { sub: 'u_alice', name: 'Alice Liddell', iss: ISSUER, aud: CLIENT_ID } })
    expect(await auth.getAccessToken()).toBe(provider.accessTokens[0])
    expect(events.map((event) => event.name)).toEqual(['login'])
  })

  it('O11 a callback with a state this tab did not send, with none, or with one already used: invalid_state, no token request', async () => {
    const { auth } = await setup()
    const back = await roundTrip(auth, undefined, { state: 'not-a-state-this-tab-sent' })
    await expectAuthError(auth.handleRedirectCallback(), 'invalid_state')
    expect(auth.getState().status).toBe('anonymous')

    await roundTrip(auth, undefined, { state: null })
    await expectAuthError(auth.handleRedirectCallback(), 'invalid_state')

    const good = await roundTrip(auth)
    await auth.handleRedirectCallback()
    expect(provider.codeRequests()).toHaveLength(1)
    // The same response again (a replay, a reload before the URL was cleaned).
    await expectAuthError(auth.handleRedirectCallback(good), 'invalid_state')
    expect(provider.codeRequests()).toHaveLength(1)
    expect(back).toContain('code=')
  })

  it('O12 a callback whose iss is another issuer, or none while the provider says it sends one: invalid_issuer, no token request', async () => {
    const { auth } = await setup({ responseIss: 'https://attacker.test' })
    await roundTrip(auth)
    await expectAuthError(auth.handleRedirectCallback(), 'invalid_issuer')
    provider.misbehaviour.responseIss = null
    await roundTrip(auth)
    await expectAuthError(auth.handleRedirectCallback(), 'invalid_issuer')
    expect(provider.tokenRequests).toHaveLength(0)
    expect(auth.getState().status).toBe('anonymous')
  })

  it('O12 a provider that does not advertise RFC 9207 may leave iss out; a wrong one is still refused', async () => {
    const { auth } = await setup({ responseIss: null, discovery: (metadata) => ({ ...metadata, authorization_response_iss_parameter_supported: undefined }) })
    await roundTrip(auth)
    await auth.handleRedirectCallback()
    expect(auth.getState().status).toBe('authenticated')
    provider.misbehaviour.responseIss = 'https://attacker.test'
    await roundTrip(auth)
    await expectAuthError(auth.handleRedirectCallback(), 'invalid_issuer')
    expect(provider.codeRequests()).toHaveLength(1)
  })

  const badIdTokens: [string, Misbehaviour][] = [
    ['wrong iss', { idToken: (claims) => ({ ...claims, iss: 'https://attacker.test' }) }],
    ['wrong aud', { idToken: (claims) => ({ ...claims, aud: 'another-client' }) }],
    ['wrong nonce', { idToken: (claims) => ({ ...claims, nonce: 'replayed-nonce' }) }],
    ['no nonce', { idToken: ({ nonce: _nonce, ...claims }) => claims }],
    ['expired', { idToken: (claims) => ({ ...claims, iat: (claims.iat as number) - 3600, exp: (claims.iat as number) - 1800 }) }],
    ['azp absent with several audiences', { idToken: (claims) => ({ ...claims, aud: [CLIENT_ID, 'api'] }) }],
    ['azp of another party', { idToken: (claims) => ({ ...claims, aud: [CLIENT_ID, 'api'], azp: 'api' }) }],
    ['alg none', { unsignedIdToken: true }],
    ['not a JWT', { tokenResponse: (body) => ({ ...body, id_token: 'opaque-id-token' }) }],
    ['missing', { tokenResponse: ({ id_token: _idToken, ...body }) => body }],
  ]
  for (const [name, misbehaviour] of badIdTokens) {
    it(`O13 an ID token with ${name}: invalid_id_token, not signed in`, async () => {
      const { auth } = await setup(misbehaviour)
      await roundTrip(auth)
      await expectAuthError(auth.handleRedirectCallback(), 'invalid_id_token')
      expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, lastError: { code: 'invalid_id_token' } })
      await expectAuthError(auth.getAccessToken(), 'not_authenticated')
    })
  }

  it('O13 an ID token for several audiences with our azp is accepted', async () => {
    const { auth } = await setup({ idToken: (claims) => ({ ...claims, aud: [CLIENT_ID, 'api'], azp: CLIENT_ID }) })
    await roundTrip(auth)
    await auth.handleRedirectCallback()
    expect(auth.getState().status).toBe('authenticated')
  })

  for (const error of ['access_denied', 'login_required'] as const) {
    it(`O14 an error redirect (${error}): a typed error with the provider's code, the URL cleaned, no token request`, async () => {
      const { auth } = await setup()
      await roundTrip(auth, { prompt: error === 'login_required' ? 'none' : undefined }, { error })
      expect(page.location.href).toContain(`error=${error}`)
      const failure = await expectAuthError(auth.handleRedirectCallback(), error)
      expect(failure.message).toContain(error)
      expect(page.location.href).toBe(APP.replace(/\/$/, '/callback'))
      expect(provider.tokenRequests).toHaveLength(0)
      expect(page.items.size).toBe(0)
    })
  }

  it('O14 an error the SDK has no code for comes through as provider_error, its code in the message', async () => {
    const { auth } = await setup()
    await roundTrip(auth, undefined, { error: 'temporarily_unavailable' })
    const failure = await expectAuthError(auth.handleRedirectCallback(), 'provider_error')
    expect(failure.message).toContain('temporarily_unavailable')
  })

  it('O15 after the callback: code, state, iss and session_state are gone from the address bar (replaceState) and the login record from storage', async () => {
    const { auth } = await setup()
    page.location.href = `${APP}?tab=notes#top`
    await auth.login()
    const back = new URL(await provider.authorize(page.navigations.at(-1)!))
    back.searchParams.set('tab', 'notes')
    page.visit(back.href)
    expect(page.items.size).toBe(1)

    await auth.handleRedirectCallback()

    expect(page.replaced).toEqual([`${REDIRECT_URI}?tab=notes`])
    expect(page.location.href).toBe(`${REDIRECT_URI}?tab=notes`)
    expect(page.items.size).toBe(0)
  })

  it('O17 a discovery document naming another issuer is refused: no navigation', async () => {
    const { auth } = await setup({ discovery: (metadata) => ({ ...metadata, issuer: 'https://op.test/' }) })
    await expectAuthError(auth.login(), 'invalid_issuer')
    expect(page.navigations).toEqual([])
    expect(auth.getState()).toMatchObject({ status: 'anonymous', lastError: { code: 'invalid_issuer' } })
  })

  for (const [name, body] of [
    ['not JSON metadata', () => 'garbage'],
    ['no token endpoint', ({ token_endpoint: _endpoint, ...metadata }: Record<string, unknown>) => metadata],
    ['an endpoint that is not a URL', (metadata: Record<string, unknown>) => ({ ...metadata, authorization_endpoint: 'not a url' })],
  ] as const) {
    it(`a malformed discovery document (${name}) is a typed error, no navigation`, async () => {
      const { auth } = await setup({ discovery: body as Misbehaviour['discovery'] })
      const failure = await auth.login().catch((error: unknown) => error)
      expect(failure).toMatchObject({ code: expect.stringMatching(/^invalid_(discovery|issuer)$/) })
      expect(page.navigations).toEqual([])
    })
  }

  for (const [name, change] of [
    ['without an access token', ({ access_token: _token, ...body }: Record<string, unknown>) => body],
    ['with a token type it does not know', (body: Record<string, unknown>) => ({ ...body, token_type: 'mac' })],
    ['with expires_in as text', (body: Record<string, unknown>) => ({ ...body, expires_in: '300' })],
    ['as an array', () => [1, 2]],
  ] as const) {
    it(`a malformed token response (${name}) is a typed error, not signed in`, async () => {
      const { auth } = await setup({ tokenResponse: change })
      await roundTrip(auth)
      await expectAuthError(auth.handleRedirectCallback(), 'invalid_response')
      expect(auth.getState().status).toBe('anonymous')
    })
  }

  it('O20 every authorization request carries a fresh nonce, and the ID token must carry the one its login sent', async () => {
    const { auth } = await setup()
    await auth.login()
    await auth.login()
    const [first, second] = page.navigations.map((url) => new URL(url).searchParams)
    expect(first!.get('nonce')).toMatch(/^[\w-]{43}$/)
    expect(second!.get('nonce')).not.toBe(first!.get('nonce'))
    expect(second!.get('state')).not.toBe(first!.get('state'))
    // The ID token of the second login carries the first login's nonce.
    const firstNonce = first!.get('nonce')!
    provider.misbehaviour.idToken = (claims) => ({ ...claims, nonce: firstNonce })
    page.visit(await provider.authorize(page.navigations[1]!))
    await expectAuthError(auth.handleRedirectCallback(), 'invalid_id_token')
  })

  it('a session strategy has no redirect callback: a typed error', async () => {
    await setup()
    const { session } = await import('@authlens/sdk')
    const auth = createAuthClient({ baseURL: 'https://api.test/api', strategy: session(), fetch: provider.fetch })
    clients.push(auth)
    await expectAuthError(auth.handleRedirectCallback(), 'invalid_options')
  })
})

describe('oidc(): two tabs, refresh, sign-out', () => {
  it('O16 two tabs each start a login; callbacks arrive crossed, then each its own, then again (reload): each completes its own once, the rest fail typed, no code redeemed twice', async () => {
    await setup()
    const tabA = page
    const authA = client()
    const tabB = fakePage(APP)
    tabB.enter()
    const authB = client()

    tabA.enter()
    await authA.login({ appState: 'A' })
    tabB.enter()
    await authB.login({ appState: 'B' })
    const backA = await provider.authorize(tabA.navigations[0]!)
    const backB = await provider.authorize(tabB.navigations[0]!)

    // Crossed: each tab gets the other's response. Neither has the other's record: nothing is redeemed.
    tabA.enter()
    await expectAuthError(authA.handleRedirectCallback(backB), 'invalid_state')
    tabB.enter()
    await expectAuthError(authB.handleRedirectCallback(backA), 'invalid_state')
    expect(provider.codeRequests()).toHaveLength(0)

    // Each its own.
    tabA.enter()
    await expect(authA.handleRedirectCallback(backA)).resolves.toEqual({ appState: 'A' })
    tabB.enter()
    await expect(authB.handleRedirectCallback(backB)).resolves.toEqual({ appState: 'B' })
    expect([authA.getState().status, authB.getState().status]).toEqual(['authenticated', 'authenticated'])
    tabA.enter()
    const tokenA = await authA.getAccessToken()
    tabB.enter()
    expect(await authB.getAccessToken()).not.toBe(tokenA)

    // The same responses once more (a reload of the callback page before it was cleaned, a replay).
    tabA.enter()
    await expectAuthError(authA.handleRedirectCallback(backA), 'invalid_state')
    tabB.enter()
    await expectAuthError(authB.handleRedirectCallback(backB), 'invalid_state')
    const codes = provider.codeRequests().map((request) => request.code)
    expect(codes).toHaveLength(2)
    expect(new Set(codes).size).toBe(2)
  })

  it('O18 an opaque access token with expires_in is refreshed on time (grant_type=refresh_token at the discovered endpoint, rotated); the user stays the ID token user', async () => {
    freezeClock()
    const { auth } = await setup({ accessTokenSeconds: 120 })
    await roundTrip(auth)
    await auth.handleRedirectCallback()
    const first = await auth.getAccessToken()
    const { expiresAt } = auth.getState()
    expect(expiresAt).toBe(Date.now() + 120_000)

    advanceClock(80_000)
    expect(await auth.getAccessToken()).toBe(first)
    expect(provider.tokenRequests.filter((request) => request.grant_type === 'refresh_token')).toHaveLength(0)

    // Inside the 30 s leeway before expires_in runs out: the next use refreshes first.
    advanceClock(11_000)
    const second = await auth.getAccessToken()
    expect(second).not.toBe(first)
    const [refresh] = provider.tokenRequests.filter((request) => request.grant_type === 'refresh_token')
    expect(refresh).toMatchObject({ client_id: CLIENT_ID, contentType: 'application/x-www-form-urlencoded' })
    expect(provider.refreshTokens.get(refresh!.refresh_token!)?.spent).toBe(true)
    expect(auth.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'u_alice', name: 'Alice Liddell' }, expiresAt: Date.now() + 120_000 })
  })

  it('a refresh whose answer has no new ID token keeps the user (without the old iat); a rotated-out refresh token is refused and signs out', async () => {
    const { auth } = await setup()
    await roundTrip(auth)
    await auth.handleRedirectCallback()
    const spent = [...provider.refreshTokens.keys()][0]!
    provider.misbehaviour.tokenResponse = ({ id_token: _idToken, ...body }) => body
    await auth.refresh()
    expect(auth.getState().user).toMatchObject({ sub: 'u_alice', iat: undefined })

    // Someone replays the first refresh token: the provider refuses it.
    const replay = await provider.fetch(`${ISSUER}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: spent, client_id: CLIENT_ID }) })
    expect(replay.status).toBe(400)
    expect(await auth.getAccessToken()).toBe(provider.accessTokens.at(-1))
  })

  it('silent SSO: login({ prompt: "none" }) without a provider session fails typed with login_required on the callback', async () => {
    const { auth } = await setup()
    await auth.login({ prompt: 'none', appState: '/here' })
    expect(new URL(page.navigations[0]!).searchParams.get('prompt')).toBe('none')
    page.visit(await provider.authorize(page.navigations[0]!, { error: 'login_required' }))
    await expectAuthError(auth.handleRedirectCallback(), 'login_required')
    expect(auth.getState()).toMatchObject({ status: 'anonymous', lastError: { code: 'login_required' } })
  })

  it('O19 sign-out: cleared here first, the refresh token revoked (200, empty text/plain), then the end-session endpoint with id_token_hint, post_logout_redirect_uri, client_id', async () => {
    const { auth } = await setup()
    await roundTrip(auth)
    await auth.handleRedirectCallback()
    const refreshToken = [...provider.refreshTokens.keys()][0]!
    const states: string[] = []
    provider.handlers.unshift(
      (await import('msw')).http.post(`${ISSUER}/revoke`, () => {
        states.push(auth.getState().status)
      }),
    )
    const events = record(auth)

    await auth.logout()

    expect(states).toEqual(['anonymous'])
    expect(provider.revocations).toEqual([
      { fields: { token: refreshToken, token_type_hint: 'refresh_token', client_id: CLIENT_ID }, contentType: 'application/x-www-form-urlencoded' },
    ])
    const end = new URL(page.navigations.at(-1)!)
    expect(end.origin + end.pathname).toBe(`${ISSUER}/session/end`)
    expect(Object.fromEntries(end.searchParams)).toEqual({ client_id: CLIENT_ID, post_logout_redirect_uri: APP, id_token_hint: expect.stringMatching(/^ey/) })
    expect(events.map((event) => event.name)).toEqual(['logout'])
    expect(auth.getState()).toMatchObject({ status: 'anonymous', lastError: null })
  })

  for (const failure of ['unsupported_token_type', 'network'] as const) {
    it(`O19 sign-out when revocation fails (${failure}): cleared first, end-session still reached, the failure reported typed after the navigation`, async () => {
      const { auth } = await setup({ revocation: failure })
      await roundTrip(auth)
      await auth.handleRedirectCallback()
      const events = record(auth)
      let navigationsWhenRejected = -1

      await expectAuthError(
        auth.logout().catch((error: unknown) => {
          navigationsWhenRejected = page.navigations.length
          throw error
        }),
        'revocation_failed',
      )

      expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, lastError: { code: 'revocation_failed' } })
      expect(provider.revocations).toHaveLength(1)
      expect(new URL(page.navigations.at(-1)!).pathname).toBe('/session/end')
      // The browser was already on its way to the provider when the failure came back.
      expect(navigationsWhenRejected).toBe(2)
      expect(events.map((event) => event.name)).toEqual(['logout', 'error'])
    })
  }
})
