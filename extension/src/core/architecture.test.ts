import { describe, expect, it } from 'vitest'
import { createInspector, type Inspector } from './inspector.ts'
import type { Observation } from './observations.ts'
import { BFF_CLIENT_ID, SESSION_VALUE, bffAuthorizeUrl, bffSignIn, proxyCall, sessionCookie, tokenHandout } from './testing/bff.ts'
import { exchange } from './testing/observations.ts'
import { APP, CODE, IDP, STATE, accessToken, authorizeRedirect, callbackUrl, tokenExchange } from './testing/oidc.ts'

const T0 = Date.UTC(2026, 0, 1, 12)

function inspect(...observations: Observation[]): Inspector {
  const inspector = createInspector()
  inspector.ingest({ kind: 'page-url', at: T0, url: `${APP}/` })
  for (const observation of observations) inspector.ingest(observation)
  return inspector
}
const architecture = (inspector: Inspector) => inspector.snapshot().architecture
const ids = (signals: ReadonlyArray<{ id: string }>) => signals.map((s) => s.id)
const fFindings = (inspector: Inspector) => inspector.auditSync(T0 + 10_000).filter((f) => f.ruleId === 'F1' || f.ruleId === 'F2')

describe('detectArchitecture, from what the panel saw', () => {
  it('backend-for-frontend: provider round trip back to this origin with no code exchange from the page, an HttpOnly session cookie, cookie-only API calls, no token on the page', () => {
    const inspector = inspect(...bffSignIn(T0 + 100), sessionCookie(), proxyCall(T0 + 500), proxyCall(T0 + 600))
    const found = architecture(inspector)
    expect(found).toMatchObject({ kind: 'backend-for-frontend', confidence: 'high', breaks: [], csrfHeader: 'X-CSRF', sessionCookie: { name: '__Host-bff', httpOnly: true } })
    expect(ids(found.seen)).toEqual(['code-redeemed-server-side', 'httponly-session-cookie', 'cookie-only-api', 'no-token-on-page'])
    expect(found.seen[0]?.text).toContain(`${IDP}/authorize (client ${BFF_CLIENT_ID}) came back to ${APP}/bff/callback`)
    expect(found.seen[2]?.text).toBe('2 same-origin API calls answered without an Authorization header (GET /bff/api/me), with the X-CSRF header')
    expect(JSON.stringify(found)).not.toContain(SESSION_VALUE)
  })

  it('backend-for-frontend across page loads (Preserve log off): the round trip in flight crosses to the app page, where the API calls are', () => {
    const inspector = createInspector()
    inspector.ingest({ kind: 'page-url', at: T0, url: `${APP}/` })
    const [login, authorize, callback, app] = bffSignIn(T0 + 100)
    for (const observation of [login, authorize, callback]) if (observation) inspector.ingest(observation)
    inspector.reset(inspector.roundTripsInFlight(T0 + 200))
    if (app) inspector.ingest(app)
    inspector.ingest({ kind: 'page-url', at: T0 + 300, url: `${APP}/` })
    inspector.ingest(sessionCookie())
    expect(architecture(inspector)).toMatchObject({ kind: 'backend-for-frontend', confidence: 'medium' })
    inspector.ingest(proxyCall(T0 + 400))
    expect(architecture(inspector)).toMatchObject({ kind: 'backend-for-frontend', confidence: 'high' })
  })

  it('server session: the same cookie and cookie-only calls, but no provider round trip', () => {
    const login = exchange({ at: T0 + 100, method: 'POST', url: `${APP}/api/session/login`, requestBody: '{"username":"bob"}', responseHeaders: { 'Content-Type': 'application/json' }, responseBody: '{"ok":true}' })
    const found = architecture(inspect(login, sessionCookie({ name: '__Host-sid' }), proxyCall(T0 + 200, { path: '/api/me' })))
    expect(found).toMatchObject({ kind: 'server-session', confidence: 'medium', breaks: [] })
    expect(ids(found.seen)).toEqual(['httponly-session-cookie', 'cookie-only-api', 'no-token-on-page', 'no-provider-round-trip'])
  })

  it('token-mediating backend: the code was redeemed server-side, but a token came to the page in a response body', () => {
    const found = architecture(inspect(...bffSignIn(T0 + 100), sessionCookie(), proxyCall(T0 + 500), tokenHandout(T0 + 600)))
    expect(found.kind).toBe('token-mediating-backend')
    expect(ids(found.seen)).toEqual(['code-redeemed-server-side', 'httponly-session-cookie'])
    expect(found.breaks).toMatchObject([{ id: 'token-on-page', text: expect.stringMatching(/^access token t[0-9a-f]+ in the response body of GET \/bff\/token$/) }])
  })

  it('partial: a BFF round trip, then a token the page keeps in localStorage; or a session cookie scripts can read', () => {
    const stored = architecture(inspect(...bffSignIn(T0 + 100), sessionCookie(), proxyCall(T0 + 500), { kind: 'storage', at: T0 + 700, area: 'localStorage', key: 'at', value: accessToken() }))
    expect(stored).toMatchObject({ kind: 'token-mediating-backend', breaks: [{ id: 'token-on-page', text: expect.stringContaining('in localStorage "at"') }] })
    const readable = architecture(inspect(...bffSignIn(T0 + 100), sessionCookie({ httpOnly: false }), proxyCall(T0 + 500)))
    expect(readable).toMatchObject({ kind: 'backend-for-frontend', confidence: 'low', breaks: [{ id: 'readable-session-cookie' }] })
  })

  it('browser-held tokens: the page redeems the code itself and sends the token as Bearer', () => {
    const found = architecture(
      inspect(authorizeRedirect(T0 + 100), { kind: 'page-url', at: T0 + 200, url: callbackUrl() }, tokenExchange(T0 + 300), exchange({ at: T0 + 400, url: 'https://api.example.com/notes', requestHeaders: { Authorization: `Bearer ${accessToken()}` } })),
    )
    expect(found.kind).toBe('browser-tokens')
    expect(ids(found.seen)).toContain('page-code-exchange')
    expect(found.seen.find((s) => s.id === 'token-on-page')?.text).toMatch(/in the response body of POST \/token|sent by the page in Authorization/)
  })

  it('not a BFF: a callback on another origin, or API calls that failed, or on another origin, prove nothing', () => {
    const elsewhere = `https://other.example.com/bff/callback?${new URLSearchParams({ code: CODE, state: STATE, iss: IDP })}`
    const other = authorizeRedirect(T0 + 100, bffAuthorizeUrl().replace(encodeURIComponent(`${APP}/bff/callback`), encodeURIComponent('https://other.example.com/bff/callback')), elsewhere)
    expect(architecture(inspect(other, sessionCookie())).kind).toBe('server-session')
    const refused = architecture(inspect(sessionCookie(), proxyCall(T0 + 100, { status: 401 }), exchange({ at: T0 + 200, url: 'https://api.other.example/me', requestHeaders: { 'Sec-Fetch-Dest': 'empty' } })))
    expect(ids(refused.seen)).not.toContain('cookie-only-api')
    expect(refused.confidence).toBe('low')
  })

  it('nothing seen yet: unknown, with no finding', () => {
    const inspector = inspect()
    expect(architecture(inspector)).toMatchObject({ kind: 'unknown', seen: [], breaks: [], sessionCookie: null })
    expect(fFindings(inspector)).toEqual([])
  })
})

describe('F1, F2: the architecture in the audit', () => {
  it('F1 a backend-for-frontend is an info finding naming what was seen and what still matters (C1–C6, CSRF on the proxy)', () => {
    const findings = fFindings(inspect(...bffSignIn(T0 + 100), sessionCookie(), proxyCall(T0 + 500)))
    expect(findings).toMatchObject([{ ruleId: 'F1', severity: 'info', title: 'Backend-for-frontend: tokens stay on the server', evidence: { cookie: { name: '__Host-bff', domain: 'app.example.com', path: '/' } } }])
    const [f1] = findings
    for (const part of ['high confidence', 'HttpOnly cookie "__Host-bff"', 'C1–C6', '"X-CSRF"', 'revoke the refresh token']) expect(f1?.detail).toContain(part)
    expect(f1?.reference).toContain('Browser-Based Applications §6.1')
  })

  it('F1 without a CSRF header says the proxy leans on SameSite alone', () => {
    const bare = proxyCall(T0 + 500, { headers: { 'Sec-Fetch-Dest': 'empty' } })
    expect(fFindings(inspect(...bffSignIn(T0 + 100), sessionCookie(), bare))[0]?.detail).toContain('relies on the cookie\'s SameSite (lax) alone')
  })

  it('B1 F2 a token that reached the page makes it a token-mediating backend: medium, one finding per token, no value in it', () => {
    const token = accessToken()
    const findings = fFindings(inspect(...bffSignIn(T0 + 100), sessionCookie(), tokenHandout(T0 + 600, token)))
    expect(findings).toMatchObject([{ ruleId: 'F2', severity: 'medium', title: 'A token reached the page: a token-mediating backend, not a BFF' }])
    expect(findings[0]?.detail).toContain('response body of GET /bff/token')
    expect(findings[0]?.reference).toContain('§6.2')
    expect(JSON.stringify(findings)).not.toContain(token.split('.')[1])
  })

  it('F2 a session cookie scripts can read breaks the pattern too', () => {
    expect(fFindings(inspect(...bffSignIn(T0 + 100), sessionCookie({ httpOnly: false }), proxyCall(T0 + 500)))).toMatchObject([{ ruleId: 'F2', severity: 'medium', title: 'Session cookie readable by scripts: not a BFF' }])
  })

  it('no F finding for a plain server session or browser-held tokens', () => {
    expect(fFindings(inspect(sessionCookie({ name: '__Host-sid' }), proxyCall(T0 + 200, { path: '/api/me' })))).toEqual([])
    expect(fFindings(inspect(authorizeRedirect(T0 + 100), tokenExchange(T0 + 300)))).toEqual([])
  })
})
