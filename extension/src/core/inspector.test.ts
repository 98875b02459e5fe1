import { describe, expect, it } from 'vitest'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createInspector } from './inspector.ts'
import { exchange } from './testing/observations.ts'
import { makeJwt } from './testing/tokens.ts'

const T0 = Date.UTC(2026, 0, 1, 12)
const S = (ms: number) => Math.floor(ms / 1000)
const API = 'https://app.example.com/api'
const token = (iat: number, jti: string) => makeJwt({ iss: 'https://app.example.com', aud: 'authlens-api', sub: 'u1', iat: S(iat), exp: S(iat) + 60, jti })
const dateHeader = (ms: number) => ({ Date: new Date(ms).toUTCString() })

describe('createInspector', () => {
  it('login → token issued → 401 → refresh detected → retry → exp passing → logout, on one timeline', () => {
    const inspector = createInspector()
    const a = token(T0, 'a')
    const b = token(T0 + 70_000, 'b')
    inspector.ingest({ kind: 'page-url', at: T0 - 1000, url: 'https://app.example.com/' })
    inspector.ingest(exchange({ at: T0, method: 'POST', url: `${API}/auth/login`, responseBody: JSON.stringify({ accessToken: a }), responseHeaders: dateHeader(T0) }))
    inspector.ingest(exchange({ at: T0 + 1000, url: `${API}/notes`, requestHeaders: { Authorization: `Bearer ${a}` }, responseHeaders: dateHeader(T0 + 1000) }))
    inspector.tick(T0 + 30_000)
    inspector.tick(T0 + 65_000)
    inspector.ingest(exchange({ at: T0 + 69_000, url: `${API}/notes`, requestHeaders: { Authorization: `Bearer ${a}` }, status: 401 }))
    inspector.ingest(exchange({ at: T0 + 70_000, method: 'POST', url: `${API}/auth/refresh`, responseBody: JSON.stringify({ accessToken: b }) }))
    inspector.ingest(exchange({ at: T0 + 70_500, url: `${API}/notes`, requestHeaders: { Authorization: `Bearer ${b}` } }))
    inspector.ingest(exchange({ at: T0 + 80_000, method: 'POST', url: `${API}/auth/logout`, requestHeaders: { Authorization: `Bearer ${b}` } }))
    const snapshot = inspector.snapshot()
    expect(snapshot.timeline.map((e) => e.kind)).toEqual(['token-issued', 'login', 'expired', 'unauthorized', 'token-issued', 'refresh-detected', 'retry-after-refresh', 'logout'])
    expect(snapshot.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(snapshot.tokens).toHaveLength(2)
    expect(snapshot.tokens[0]?.places.map((p) => p.place.source)).toEqual(['response-body', 'authorization-header'])
    expect(snapshot.clock?.samples).toBe(2)
    expect(snapshot.pageUrl).toBe('https://app.example.com/')
  })

  it('E11 10,000 observations keep memory bounded: capped timeline with a dropped count, capped tokens', () => {
    const inspector = createInspector({ timelineCapacity: 1000, maxTokens: 200 })
    for (let i = 0; i < 10_000; i++) {
      inspector.ingest(exchange({ at: T0 + i, url: `${API}/notes/${i}`, requestHeaders: { Authorization: `Bearer ${token(T0 + i * 1000, `j${i}`)}` }, status: i % 2 ? 200 : 401 }))
    }
    const snapshot = inspector.snapshot()
    expect(snapshot.timeline).toHaveLength(1000)
    expect(snapshot.dropped).toBeGreaterThan(9000)
    expect(snapshot.tokens).toHaveLength(200)
  })

  it('E12 re-announced state after a service worker restart adds no duplicate tokens or timeline entries', () => {
    const inspector = createInspector()
    const a = token(T0, 'a')
    const replay = () => {
      inspector.ingest({ kind: 'storage', at: T0, area: 'localStorage', key: 'token', value: a })
      inspector.ingest({ kind: 'sdk', at: T0, message: { source: 'authlens-sdk', version: 1, id: 'k1-3', at: T0, type: 'event', event: 'refresh', data: { expiresAt: 1 } } })
      inspector.ingest({ kind: 'sdk', at: T0, message: { source: 'authlens-sdk', version: 1, id: 'k1-2', at: T0, type: 'event', event: 'login', data: {} } })
      inspector.ingest({ kind: 'cookie', at: T0, removed: false, cookie: { name: 'rt', value: 'opaque-refresh-0123456789', domain: 'app.example.com', path: '/api/auth', secure: true, httpOnly: true, sameSite: 'strict', session: true } })
    }
    replay()
    const first = inspector.snapshot()
    replay()
    expect(inspector.snapshot().timeline).toEqual(first.timeline)
    expect(inspector.snapshot().tokens.map((t) => t.id)).toEqual(first.tokens.map((t) => t.id))
    expect(first.timeline.map((e) => e.kind)).toEqual(['token-issued', 'sdk-event', 'login', 'token-issued'])
  })

  it('a login the SDK and the network both report is one entry with both sources, re-announced or not; so is a logout', () => {
    const inspector = createInspector()
    const sdkEvent = (id: string, at: number, event: 'login' | 'logout') => ({ kind: 'sdk' as const, at, message: { source: 'authlens-sdk' as const, version: 1 as const, id, at, type: 'event' as const, event, data: {} } })
    const a = token(T0, 'a')
    inspector.ingest({ kind: 'storage', at: T0 - 10, area: 'localStorage', key: 'token', value: a })
    inspector.ingest(sdkEvent('e-login', T0 + 5, 'login'))
    inspector.ingest(exchange({ at: T0 + 40, method: 'POST', url: `${API}/auth/login`, responseBody: JSON.stringify({ accessToken: a }) }))
    const logins = () => inspector.snapshot().timeline.filter((e) => e.kind === 'login')
    expect(logins()).toMatchObject([{ at: T0 + 5, source: 'sdk', sources: ['sdk', 'network'], detail: 'SDK login event · POST /api/auth/login' }])
    // A worker restart re-announces the SDK backlog: still one login.
    inspector.ingest(sdkEvent('e-login', T0 + 5, 'login'))
    expect(logins()).toHaveLength(1)

    inspector.ingest(exchange({ at: T0 + 60_000, method: 'POST', url: `${API}/auth/logout` }))
    inspector.ingest(sdkEvent('e-logout', T0 + 60_010, 'logout'))
    inspector.ingest({ kind: 'storage', at: T0 + 60_020, area: 'localStorage', key: 'token', value: null })
    expect(inspector.snapshot().timeline.filter((e) => e.kind === 'logout')).toMatchObject([{ sources: ['network', 'sdk', 'storage'] }])

    // A second sign-in later is another login, not a third source of the first.
    inspector.ingest(sdkEvent('e-login-2', T0 + 120_000, 'login'))
    inspector.ingest(exchange({ at: T0 + 120_030, method: 'POST', url: `${API}/auth/login` }))
    expect(logins().map((e) => e.sources)).toEqual([['sdk', 'network'], ['sdk', 'network']])
  })

  it('logout from a cleared auth cookie or a removed stored token; not from a cookie overwrite', () => {
    const inspector = createInspector()
    const sid = { name: 'sid', value: 'session-0123456789abcdef', domain: 'app.example.com', path: '/', secure: true, httpOnly: true, sameSite: 'lax' as const, session: true }
    inspector.ingest({ kind: 'cookie', at: 1, removed: false, cookie: sid })
    expect(inspector.ingest({ kind: 'cookie', at: 2, removed: true, cause: 'overwrite', cookie: sid })).toEqual([])
    inspector.ingest({ kind: 'cookie', at: 3, removed: false, cookie: sid })
    expect(inspector.ingest({ kind: 'cookie', at: 4, removed: true, cause: 'expired_overwrite', cookie: sid }).map((e) => e.kind)).toEqual(['logout'])
    // A minute later: another logout, not a second report of the first.
    inspector.ingest({ kind: 'storage', at: 60_005, area: 'sessionStorage', key: 'jwt', value: token(T0, 'x') })
    expect(inspector.ingest({ kind: 'storage', at: 60_006, area: 'sessionStorage', key: 'jwt', value: null }).map((e) => e.kind)).toEqual(['logout'])
    inspector.ingest({ kind: 'storage', at: 60_007, area: 'sessionStorage', key: 'theme', value: 'dark' })
    expect(inspector.ingest({ kind: 'storage', at: 60_008, area: 'sessionStorage', key: 'theme', value: null })).toEqual([])
  })

  it('audits its own state, and reset (navigation without preserve log) empties everything', async () => {
    const inspector = createInspector()
    inspector.ingest({ kind: 'page-url', at: T0, url: 'https://app.example.com/' })
    inspector.ingest({ kind: 'storage', at: T0, area: 'localStorage', key: 'token', value: token(T0, 'a') })
    expect(inspector.auditSync(T0).map((f) => f.ruleId)).toContain('W1')
    expect((await inspector.audit(T0)).map((f) => f.ruleId)).toContain('W1')
    inspector.reset()
    expect(inspector.snapshot()).toEqual({ pageUrl: null, tokens: [], cookies: [], storage: [], clock: null, signatures: {}, dpop: {}, timeline: [], architecture: { kind: 'unknown', confidence: 'low', seen: [], breaks: [], sessionCookie: null, csrfHeader: null }, dropped: 0 })
  })

  it('verifies signatures with the JWK Set the page fetched: verified, forged (J13, high), or no key until one is seen; reset forgets the keys', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] })
    const sign = (sub: string) => new SignJWT({ sub, iss: 'https://app.example.com', aud: 'api' }).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }).setIssuedAt(S(T0)).setExpirationTime(S(T0) + 300).sign(privateKey)
    const genuine = await sign('u1')
    const [header, , signature] = (await sign('u2')).split('.')
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', iss: 'https://app.example.com', aud: 'api', exp: S(T0) + 300 })).toString('base64url')}.${signature}`
    const inspector = createInspector()
    inspector.ingest({ kind: 'page-url', at: T0, url: 'https://app.example.com/' })
    inspector.ingest({ kind: 'storage', at: T0, area: 'sessionStorage', key: 'token', value: genuine })
    inspector.ingest({ kind: 'storage', at: T0, area: 'sessionStorage', key: 'forged', value: forged })
    const status = () => Object.values(inspector.snapshot().signatures).map((c) => c.status).sort()
    await inspector.audit(T0)
    expect(status()).toEqual(['no-key', 'no-key'])

    inspector.ingest(exchange({ at: T0 + 10, url: 'https://app.example.com/.well-known/jwks.json', responseBody: jwks }))
    const findings = await inspector.audit(T0 + 20)
    const { signatures, tokens } = inspector.snapshot()
    const idOf = (value: string) => tokens.find((t) => t.value === value)?.id ?? ''
    expect(signatures[idOf(genuine)]).toEqual({ status: 'verified', kid: 'k1', url: 'https://app.example.com/.well-known/jwks.json', seenAt: T0 + 10 })
    expect(signatures[idOf(forged)]).toMatchObject({ status: 'mismatch', kid: 'k1' })
    expect(findings.filter((f) => f.ruleId === 'J13')).toMatchObject([{ severity: 'high', evidence: { tokenId: idOf(forged) } }])
    expect(inspector.auditSync(T0 + 20).map((f) => f.ruleId)).toContain('J13')

    inspector.reset()
    inspector.ingest({ kind: 'storage', at: T0 + 30, area: 'sessionStorage', key: 'token', value: genuine })
    await inspector.audit(T0 + 30)
    expect(status()).toEqual(['no-key'])
  })
})
