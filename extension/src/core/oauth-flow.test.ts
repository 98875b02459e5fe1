import { describe, expect, it } from 'vitest'
import { createInspector, type TimelineEntry } from './inspector.ts'
import { createOAuthFlowTracker } from './oauth-flow.ts'
import { readOAuthUrl } from './oauth.ts'
import { buildRedactedExport } from './redact.ts'
import { exchange } from './testing/observations.ts'
import { APP, CLIENT_ID, CODE, CODE_VERIFIER, IDP, NONCE, REDIRECT_URI, REFRESH_TOKEN, STATE, accessToken, authorizeRedirect, authorizeUrl, callbackUrl, idToken, tokenExchange } from './testing/oidc.ts'

const T0 = Date.UTC(2026, 0, 1, 12)
const oauthKinds = new Set(['authorization-request', 'authorization-response', 'token-response', 'revocation', 'end-session'])
const oauthEntries = (timeline: TimelineEntry[]) => timeline.filter((e) => oauthKinds.has(e.kind))

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
    expect(tracker.facts()).toEqual({ authorizationRequests: [], codeExchanges: [] })
  })
})
