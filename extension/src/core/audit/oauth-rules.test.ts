import { describe, expect, it } from 'vitest'
import { createInspector } from '../inspector.ts'
import type { AuthorizationRequestFact, OAuthFacts } from '../oauth-flow.ts'
import { tokenRecords, type SightingSpec } from '../testing/records.ts'
import { APP, CLIENT_ID, IDP, REDIRECT_URI, STATE, accessToken, authorizeRedirect, authorizeUrl, idToken, tokenExchange } from '../testing/oidc.ts'
import { makeJwt } from '../testing/tokens.ts'
import { auditSync, type RuleId } from './index.ts'

const NOW = Date.UTC(2026, 0, 1, 12)
const request = (overrides: Partial<AuthorizationRequestFact> = {}): AuthorizationRequestFact => ({
  flow: 1, at: NOW, endpoint: `${IDP}/authorize`, clientId: CLIENT_ID, responseType: 'code', pkce: 'S256', state: true, nonce: true, pushed: false, ...overrides,
})
const facts = (requests: AuthorizationRequestFact[], codeExchanges: OAuthFacts['codeExchanges'] = []): OAuthFacts => ({ authorizationRequests: requests, codeExchanges, unredeemedCodes: [] })
const run = (rule: RuleId, oauth: OAuthFacts, specs: SightingSpec[] = []) =>
  auditSync({ tokens: tokenRecords(...specs), cookies: [], oauth, nowMs: NOW, pageUrl: `${APP}/` }).filter((f) => f.ruleId === rule)
const bearerTo = (value: string, url = 'https://api.example.com/notes'): SightingSpec => ({ value, source: 'authorization-header', key: 'Authorization', at: NOW, exchange: { method: 'GET', url, status: 200 } })

describe('OAuth rules', () => {
  it('A1 an implicit response_type (token, id_token, id_token token) is high; code and hybrid code id_token requests are not', () => {
    for (const responseType of ['token', 'id_token', 'id_token token']) {
      expect(run('A1', facts([request({ responseType })])), responseType).toMatchObject([{ severity: 'high', reference: expect.stringContaining('RFC 9700 §2.1.2'), evidence: { request: { url: `${IDP}/authorize` } } }])
    }
    expect(run('A1', facts([request()]))).toEqual([])
    expect(run('A1', facts([request({ responseType: 'code id_token' })]))).toEqual([])
  })

  it('A1 tokens the provider delivered in a URL fragment, a redirect Location or a received query are high; a token the page sent in a query is left to J11', () => {
    const token = accessToken()
    expect(run('A1', facts([]), [{ value: token, source: 'url-fragment', key: 'access_token', direction: 'received' }])).toMatchObject([{ severity: 'high', detail: expect.stringContaining('URL fragment') }])
    expect(run('A1', facts([]), [{ value: idToken(), source: 'location-header', key: 'id_token', direction: 'received' }])).toHaveLength(1)
    expect(run('A1', facts([]), [{ value: token, source: 'url-query', key: 'access_token', direction: 'sent' }])).toEqual([])
    expect(run('A1', facts([]), [{ value: token, source: 'url-fragment', key: 'session', direction: 'received' }])).toEqual([])
  })

  it('A2 PKCE missing in a code request is high, plain is medium, S256 is fine; a pushed request is not judged on its URL', () => {
    expect(run('A2', facts([request({ pkce: 'missing' })]))).toMatchObject([{ severity: 'high', title: 'Authorization code without PKCE' }])
    expect(run('A2', facts([request({ pkce: 'plain' })]))).toMatchObject([{ severity: 'medium', detail: expect.stringContaining('S256') }])
    expect(run('A2', facts([request()]))).toEqual([])
    expect(run('A2', facts([request({ pkce: 'missing', pushed: true })]))).toEqual([])
    expect(run('A2', facts([request({ pkce: 'missing', responseType: 'id_token' })]))).toEqual([])
  })

  it('A2 a code redeemed without code_verifier is high even when the request was not seen; one finding per client', () => {
    const exchange = { at: NOW, endpoint: `${IDP}/token`, clientId: CLIENT_ID, codeVerifier: false }
    expect(run('A2', facts([], [exchange]))).toMatchObject([{ severity: 'high', evidence: { request: { method: 'POST', url: `${IDP}/token` } } }])
    expect(run('A2', facts([], [{ ...exchange, codeVerifier: true }]))).toEqual([])
    expect(run('A2', facts([request({ pkce: 'missing' })], [exchange]))).toHaveLength(1)
  })

  it('A3 state missing is medium with PKCE or a nonce, high with neither; present or pushed is fine', () => {
    expect(run('A3', facts([request({ state: false })]))).toMatchObject([{ severity: 'medium', detail: expect.stringContaining('CSRF') }])
    expect(run('A3', facts([request({ state: false, pkce: 'missing' })]))).toMatchObject([{ severity: 'medium' }])
    expect(run('A3', facts([request({ state: false, pkce: 'missing', nonce: false })]))).toMatchObject([{ severity: 'high' }])
    expect(run('A3', facts([request()]))).toEqual([])
    expect(run('A3', facts([request({ state: false, pushed: true })]))).toEqual([])
  })

  it('A4 an ID token sent as a bearer credential: seen as id_token, or by its nonce / at_hash claims', () => {
    const id = idToken()
    expect(run('A4', facts([]), [{ value: id, source: 'response-body', key: 'id_token', direction: 'received' }, bearerTo(id)])).toMatchObject([
      { severity: 'high', detail: expect.stringContaining('seen as id_token'), evidence: { request: { url: 'https://api.example.com/notes' } } },
    ])
    expect(run('A4', facts([]), [bearerTo(id)])).toMatchObject([{ detail: expect.stringContaining('nonce') }])
    expect(run('A4', facts([]), [bearerTo(accessToken())])).toEqual([])
    expect(run('A4', facts([]), [{ value: id, source: 'response-body', key: 'id_token', direction: 'received' }])).toEqual([])
  })

  it('A4 a JWT whose audience is a client_id the page used, with no scope and no at+jwt typ, is an ID token too', () => {
    const bare = makeJwt({ iss: IDP, sub: 'u1', aud: CLIENT_ID, iat: NOW / 1000, exp: NOW / 1000 + 300 }, { alg: 'RS256', typ: 'JWT' })
    expect(run('A4', facts([request()]), [bearerTo(bare)])).toMatchObject([{ detail: expect.stringContaining(`client_id ${CLIENT_ID}`) }])
    expect(run('A4', facts([]), [bearerTo(bare)])).toEqual([])
    const scoped = makeJwt({ iss: IDP, sub: 'u1', aud: CLIENT_ID, scope: 'notes:read' }, { alg: 'RS256', typ: 'JWT' })
    expect(run('A4', facts([request()]), [bearerTo(scoped)])).toEqual([])
    // Issued as access_token: the provider says what it is, whatever its audience.
    expect(run('A4', facts([request()]), [{ value: bare, source: 'response-body', key: 'access_token', direction: 'received' }, bearerTo(bare)])).toEqual([])
  })

  it('the inspector audits what it saw: a round trip without PKCE and state, and the ID token planted as a bearer credential', () => {
    const inspector = createInspector()
    inspector.ingest({ kind: 'page-url', at: NOW, url: `${APP}/` })
    inspector.ingest(authorizeRedirect(NOW + 1, authorizeUrl({ code_challenge: null, code_challenge_method: null, state: null }), `${REDIRECT_URI}?code=c0de&iss=${encodeURIComponent(IDP)}`))
    inspector.ingest(tokenExchange(NOW + 2, { body: { grant_type: 'authorization_code', code: 'c0de', client_id: CLIENT_ID } }))
    const id = idToken()
    inspector.ingest({ kind: 'exchange', at: NOW + 3, request: { method: 'GET', url: 'https://api.example.com/notes', headers: [{ name: 'Authorization', value: `Bearer ${id}` }] }, response: { status: 200, headers: [] } })
    const findings = inspector.auditSync(NOW + 4)
    expect(findings.filter((f) => f.ruleId.startsWith('A')).map((f) => `${f.ruleId} ${f.severity}`)).toEqual(['A2 high', 'A4 high', 'A3 medium'])
    expect(JSON.stringify(findings)).not.toContain(STATE)
  })
})
