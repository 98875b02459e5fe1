import { describe, expect, it } from 'vitest'
import { createInspector, type TimelineEntry } from './inspector.ts'
import { CARRY_LIMITS } from './oauth-carry.ts'
import { createOAuthFlowTracker, type OAuthEvent } from './oauth-flow.ts'
import { readOAuthUrl } from './oauth.ts'
import { buildRedactedExport } from './redact.ts'
import { exchange } from './testing/observations.ts'
import { APP, CLIENT_ID, CODE, CODE_VERIFIER, IDP, NONCE, REDIRECT_URI, REFRESH_TOKEN, STATE, accessToken, authorizeRedirect, authorizeUrl, callbackUrl, idToken, tokenExchange } from './testing/oidc.ts'

const T0 = Date.UTC(2026, 0, 1, 12)
const oauthKinds = new Set(['authorization-request', 'authorization-response', 'token-response', 'revocation', 'end-session'])
const oauthEntries = (timeline: TimelineEntry[]) => timeline.filter((e): e is TimelineEntry & OAuthEvent => oauthKinds.has(e.kind))

/** The round trip as the panel receives it: page URL, the HAR entries, the callback page's URL. */
function signIn(inspector = createInspector(), location = callbackUrl()) {
  inspector.ingest({ kind: 'page-url', at: T0, url: `${APP}/` })
  inspector.ingest(authorizeRedirect(T0 + 100, authorizeUrl(), location))
  inspector.ingest(exchange({ at: T0 + 200, url: location, responseHeaders: { 'Content-Type': 'text/html' } }))
  inspector.ingest({ kind: 'page-url', at: T0 + 250, url: location })
  inspector.ingest(tokenExchange(T0 + 300))
  return inspector
}

describe('OAuth round trip on the timeline', () => {
  it('authorization request → response (code redacted, state matches, iss) → code exchange (ID, access, refresh tokens), each once', () => {
    const { timeline, tokens } = signIn().snapshot()
    const [request, response, exchangeEvent] = oauthEntries(timeline)
    expect(oauthEntries(timeline).map((e) => e.kind)).toEqual(['authorization-request', 'authorization-response', 'token-response'])
    expect(request).toMatchObject({ flow: 1, endpoint: `${IDP}/authorize`, responseType: 'code', clientId: CLIENT_ID, redirectUri: REDIRECT_URI, scope: 'openid profile offline_access', pkce: 'S256', state: true, nonce: true })
    expect(response).toMatchObject({ flow: 1, code: true, state: 'matches', iss: true, mode: 'query', redirectUri: REDIRECT_URI, error: null })
    const idOf = (role: string) => tokens.find((t) => t.role === role)?.id
    expect(exchangeEvent).toMatchObject({ flow: 1, grantType: 'authorization_code', status: 200, codeVerifier: true, nonce: 'matches', expiresIn: 300, idTokenId: idOf('id'), accessTokenId: idOf('access'), refreshTokenId: idOf('refresh') })
    expect(timeline.filter((e) => e.kind === 'login')).toMatchObject([{ detail: 'code exchange at /token' }])
    expect(tokens.find((t) => t.role === 'access')?.expiresIn).toEqual({ seconds: 300, issuedAt: T0 + 300 })
  })

  it('events hold no code, state, nonce, verifier or refresh token; the redacted export no code, verifier or refresh token', () => {
    const inspector = signIn()
    const { timeline, tokens } = inspector.snapshot()
    for (const secret of [CODE, STATE, NONCE, CODE_VERIFIER, REFRESH_TOKEN]) expect(JSON.stringify(timeline), secret).not.toContain(secret)
    const exported = JSON.stringify(buildRedactedExport({ tokens, cookies: [], findings: inspector.auditSync(T0 + 400), timeline, pageUrl: callbackUrl(), nowMs: T0 + 400 }))
    for (const secret of [CODE, CODE_VERIFIER, REFRESH_TOKEN]) expect(exported, secret).not.toContain(secret)
    expect(exported).toContain('callback?code=REDACTED')
  })

  it('state that does not match the request, a missing state, and a callback whose request was not seen', () => {
    const mismatch = signIn(createInspector(), callbackUrl({ code: CODE, state: 'forged', iss: IDP }))
    expect(oauthEntries(mismatch.snapshot().timeline)[1]).toMatchObject({ state: 'mismatch', flow: null })
    const missing = signIn(createInspector(), callbackUrl({ code: CODE }))
    expect(oauthEntries(missing.snapshot().timeline)[1]).toMatchObject({ state: 'missing', iss: false, flow: 1 })
    const fresh = createInspector()
    fresh.ingest({ kind: 'page-url', at: T0, url: callbackUrl() })
    expect(oauthEntries(fresh.snapshot().timeline)).toMatchObject([{ kind: 'authorization-response', state: 'unchecked', flow: null }])
  })

  it('a bare ?code= counts only on a redirect URI an authorization request named', () => {
    const inspector = createInspector()
    inspector.ingest({ kind: 'page-url', at: T0, url: 'https://shop.example/cart?code=SUMMER25' })
    expect(oauthEntries(inspector.snapshot().timeline)).toEqual([])
    inspector.ingest(authorizeRedirect(T0 + 1, authorizeUrl({ state: null }), `${REDIRECT_URI}?code=${CODE}`))
    expect(oauthEntries(inspector.snapshot().timeline).map((e) => e.kind)).toEqual(['authorization-request', 'authorization-response'])
  })

  it('an ID token whose nonce differs from the request is reported', () => {
    const inspector = createInspector()
    inspector.ingest(authorizeRedirect(T0))
    inspector.ingest(tokenExchange(T0 + 100, { response: { id_token: idToken({ nonce: 'other' }), access_token: accessToken(), token_type: 'Bearer' } }))
    expect(oauthEntries(inspector.snapshot().timeline)[2]).toMatchObject({ kind: 'token-response', nonce: 'mismatch' })
  })

  it('refresh, revocation and end-session; sign-out is one logout on the timeline', () => {
    const inspector = signIn()
    inspector.ingest(tokenExchange(T0 + 60_000, { body: { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN, client_id: CLIENT_ID }, response: { access_token: accessToken({ iat: 1_767_268_860 }), refresh_token: 'rt-rotated-0000000000000', token_type: 'Bearer', expires_in: 300 } }))
    inspector.ingest(exchange({ at: T0 + 120_000, method: 'POST', url: `${IDP}/token/revocation`, requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded' }, requestBody: `token=rt-rotated-0000000000000&token_type_hint=refresh_token&client_id=${CLIENT_ID}` }))
    const endSession = `${IDP}/session/end?id_token_hint=${idToken()}&post_logout_redirect_uri=${encodeURIComponent(`${APP}/?signed-out`)}&client_id=${CLIENT_ID}`
    inspector.ingest(exchange({ at: T0 + 120_100, url: endSession, responseHeaders: { 'Content-Type': 'text/html' } }))
    inspector.ingest({ kind: 'page-url', at: T0 + 120_200, url: endSession })
    const { timeline, tokens } = inspector.snapshot()
    const events = oauthEntries(timeline).slice(3)
    expect(events.map((e) => e.kind)).toEqual(['token-response', 'revocation', 'end-session'])
    expect(events[0]).toMatchObject({ grantType: 'refresh_token', codeVerifier: null, flow: null })
    expect(events[1]).toMatchObject({ tokenTypeHint: 'refresh_token', status: 200, tokenId: tokens.find((t) => t.value === 'rt-rotated-0000000000000')?.id })
    expect(events[2]).toMatchObject({ idTokenHint: true, idTokenId: tokens.find((t) => t.role === 'id')?.id, postLogoutRedirectUri: `${APP}/`, clientId: CLIENT_ID })
    expect(timeline.filter((e) => e.kind === 'logout')).toMatchObject([{ detail: 'token revoked at /token/revocation' }])
  })

  it('an implicit response in the page URL fragment is an authorization response with its tokens in the front channel', () => {
    const inspector = createInspector()
    inspector.ingest({ kind: 'page-url', at: T0, url: `${REDIRECT_URI}#access_token=${accessToken()}&token_type=Bearer&state=${STATE}` })
    const { timeline, tokens } = inspector.snapshot()
    expect(oauthEntries(timeline)).toMatchObject([{ kind: 'authorization-response', mode: 'fragment', frontChannel: ['access_token'], code: false }])
    expect(tokens[0]?.places[0]?.place).toEqual({ source: 'url-fragment', key: 'access_token' })
  })

  it('reset forgets the flows: a callback after it is unchecked', () => {
    const tracker = createOAuthFlowTracker()
    const request = readOAuthUrl(authorizeUrl())
    const response = readOAuthUrl(callbackUrl())
    if (!request || !response) throw new Error('fixtures must parse')
    tracker.observe(request, 1, () => undefined)
    expect(tracker.observe(response, 2, () => undefined)).toMatchObject({ state: 'matches' })
    tracker.clear()
    expect(tracker.observe(response, 3, () => undefined)).toMatchObject({ state: 'unchecked' })
    expect(tracker.facts()).toEqual({ authorizationRequests: [], codeExchanges: [], unredeemedCodes: [] })
  })
})

describe('a sign-in across page loads, without Preserve log', () => {
  /** What the panel does on a new document: start over, keeping the round trips in flight. */
  const startOver = (inspector: ReturnType<typeof createInspector>, at: number) => inspector.reset(inspector.roundTripsInFlight(at))
  const loginPage = (at: number, url = authorizeUrl()) => exchange({ at, url, responseHeaders: { 'Content-Type': 'text/html' } })
  const loginPosted = (at: number, location = callbackUrl()) => exchange({ at, method: 'POST', url: `${IDP}/login`, status: 302, responseHeaders: { Location: location } })

  it('app → provider login page → callback: the callback matches its request, the exchange its nonce, in order; what only an earlier page saw is marked', () => {
    const inspector = createInspector()
    inspector.ingest({ kind: 'page-url', at: T0, url: `${APP}/` })
    // The login page's request is reported before the navigation to it.
    inspector.ingest(loginPage(T0 + 100))
    startOver(inspector, T0 + 150)
    inspector.ingest({ kind: 'page-url', at: T0 + 200, url: authorizeUrl() })
    expect(oauthEntries(inspector.snapshot().timeline).map((e) => [e.kind, e.flow, e.carriedOver ?? false])).toEqual([['authorization-request', 1, false]])
    // The provider's redirect is reported just before the panel starts over for the callback page.
    inspector.ingest(loginPosted(T0 + 5000))
    startOver(inspector, T0 + 5100)
    inspector.ingest({ kind: 'page-url', at: T0 + 5200, url: callbackUrl() })
    inspector.ingest(tokenExchange(T0 + 5300))

    const { timeline, pageUrl } = inspector.snapshot()
    expect(pageUrl).toBe(callbackUrl())
    const entries = oauthEntries(timeline)
    // The response came in the redirect before the panel started over, and again as the callback's own URL.
    expect(entries.map((e) => [e.kind, e.flow, e.carriedOver ?? false])).toEqual([
      ['authorization-request', 1, true],
      ['authorization-response', 1, false],
      ['token-response', 1, false],
    ])
    expect(entries[1]).toMatchObject({ state: 'matches', code: true, iss: true })
    expect(entries[2]).toMatchObject({ grantType: 'authorization_code', codeVerifier: true, nonce: 'matches' })
    expect(timeline.filter((e) => e.kind === 'login')).toHaveLength(1)
  })

  it('a request whose response has not come back crosses too; a later sign-in is numbered after it', () => {
    const inspector = createInspector()
    inspector.ingest(loginPage(T0))
    startOver(inspector, T0 + 100)
    inspector.ingest({ kind: 'page-url', at: T0 + 200, url: callbackUrl() })
    inspector.ingest(loginPage(T0 + 300, authorizeUrl({ state: 'second-state', nonce: 'second-nonce' })))
    const entries = oauthEntries(inspector.snapshot().timeline)
    expect(entries.map((e) => [e.kind, e.flow, e.carriedOver ?? false])).toEqual([
      ['authorization-request', 1, true],
      ['authorization-response', 1, false],
      ['authorization-request', 2, false],
    ])
    expect(entries[1]).toMatchObject({ state: 'matches' })
  })

  it('a finished round trip does not cross: exchanged, or answered with an error', () => {
    expect(signIn().roundTripsInFlight(T0 + 1000)).toEqual({ roundTrips: [], entries: [] })
    const denied = createInspector()
    denied.ingest(authorizeRedirect(T0, authorizeUrl(), callbackUrl({ error: 'access_denied', state: STATE })))
    expect(denied.roundTripsInFlight(T0 + 1000)).toEqual({ roundTrips: [], entries: [] })
  })

  it('a sign-in that never came back is forgotten after the age limit', () => {
    const inspector = createInspector()
    inspector.ingest(loginPage(T0))
    startOver(inspector, T0 + CARRY_LIMITS.maxAgeMs + 1)
    inspector.ingest({ kind: 'page-url', at: T0 + CARRY_LIMITS.maxAgeMs + 2, url: callbackUrl() })
    expect(oauthEntries(inspector.snapshot().timeline)).toMatchObject([{ kind: 'authorization-response', state: 'unchecked', flow: null }])
  })

  it('what crosses to the next page holds no code, state, nonce or verifier; the export afterwards no code, verifier or refresh token', () => {
    const inspector = createInspector()
    inspector.ingest(loginPage(T0))
    inspector.ingest(loginPosted(T0 + 100))
    const carry = inspector.roundTripsInFlight(T0 + 200)
    expect(carry.roundTrips).toHaveLength(1)
    for (const secret of [CODE, STATE, NONCE, CODE_VERIFIER]) expect(JSON.stringify(carry), secret).not.toContain(secret)
    inspector.reset(carry)
    inspector.ingest({ kind: 'page-url', at: T0 + 300, url: callbackUrl() })
    inspector.ingest(tokenExchange(T0 + 400))
    const { timeline, tokens } = inspector.snapshot()
    const exported = JSON.stringify(buildRedactedExport({ tokens, cookies: [], findings: inspector.auditSync(T0 + 500), timeline, pageUrl: callbackUrl(), nowMs: T0 + 500 }))
    for (const secret of [CODE, CODE_VERIFIER, REFRESH_TOKEN]) expect(exported, secret).not.toContain(secret)
    expect(JSON.stringify(timeline)).not.toContain(STATE)
  })

  it('A2 still reports a carried request without PKCE on the next page', () => {
    const inspector = createInspector()
    inspector.ingest(loginPage(T0, authorizeUrl({ code_challenge: null, code_challenge_method: null })))
    startOver(inspector, T0 + 100)
    expect(inspector.auditSync(T0 + 200).filter((f) => f.ruleId === 'A2')).toMatchObject([{ severity: 'high' }])
    inspector.reset()
    expect(inspector.auditSync(T0 + 300).filter((f) => f.ruleId === 'A2')).toEqual([])
  })
})
