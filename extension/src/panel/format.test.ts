import { describe, expect, it } from 'vitest'
import { createTokenRegistry, type DpopEvent, type DpopProofView, type TimelineEntry, type TokenDpop } from '../core/index.ts'
import { bindingText, clockTime, describeEvent, dpopBadges, kindName, placeName, relative, roleBasisText, sourcesText, tokenLabel } from './format.ts'
import { makeJwt } from '../core/testing/tokens.ts'
import { accessToken } from './testing.ts'

describe('panel wording', () => {
  const registry = createTokenRegistry()
  const signed = accessToken()
  const stripped = signed.replace(/[^.]+$/, '')

  it('an SDK-stripped signature is not an unsecured JWT; a stripped copy elsewhere is', () => {
    const bridged = registry.record({ value: stripped, place: { source: 'sdk-bridge', key: 'memory' }, direction: 'stored', at: 0 }).token
    expect(kindName(bridged)).toBe('JWT (JWS)')
    const other = createTokenRegistry().record({ value: stripped, place: { source: 'local-storage', key: 'token' }, direction: 'stored', at: 0 }).token
    expect(kindName(other)).toBe('JWT, unsecured')
  })

  it('names tokens, places and times the way the views show them', () => {
    const token = registry.record({ value: signed, place: { source: 'authorization-header', key: 'Authorization' }, direction: 'sent', at: 0 }).token
    expect(tokenLabel(token)).toMatch(/^access token for u_alice · [0-9a-f]{8}$/)
    expect(tokenLabel(undefined, 't0123456789abcdef')).toBe('token 01234567')
    expect(placeName({ source: 'local-storage', key: 'auth.accessToken' })).toBe('localStorage "auth.accessToken"')
    expect(placeName({ source: 'sdk-bridge', key: 'memory' })).toBe('SDK (page memory)')
    expect(relative(65_000)).toBe('in 1m 05s')
    expect(relative(-12_000)).toBe('12s ago')
    expect(clockTime(new Date(2026, 0, 1, 9, 5, 7, 42).getTime())).toBe('09:05:07.042')
  })

  it('describes each timeline event in one line', () => {
    const tokens = new Map(registry.list().map((t) => [t.id, t]))
    const id = registry.list()[0]?.id ?? ''
    const entry = (e: Partial<TimelineEntry> & Pick<TimelineEntry, 'kind'>) => ({ at: 0, source: 'network', seq: 1, ...e }) as TimelineEntry
    expect(describeEvent(entry({ kind: 'refresh-detected', tokenId: id, previousTokenId: 't1111111122222222' }), tokens).title).toBe('Refresh')
    expect(describeEvent(entry({ kind: 'unauthorized', method: 'GET', url: 'https://a.example/api/me?x=1', status: 401, tokenId: null }), tokens)).toEqual({ title: '401 Unauthorized', detail: 'GET /api/me?… with no token' })
    expect(describeEvent(entry({ kind: 'sdk-event', messageId: 'm', name: 'refresh', data: { expiresAt: 1 } }), tokens)).toEqual({ title: 'SDK: refresh', detail: '{"expiresAt":1}' })
    const login = entry({ kind: 'login', source: 'sdk', sources: ['sdk', 'network'], detail: 'SDK login event · POST /api/auth/login' })
    expect(describeEvent(login, tokens)).toEqual({ title: 'Login', detail: 'SDK login event · POST /api/auth/login' })
    expect(sourcesText(login)).toBe('sdk + network')
    expect(sourcesText(entry({ kind: 'expired', source: 'clock', tokenId: id }))).toBe('clock')
  })

  it('describes an OAuth round trip: PKCE, state and nonce at a glance, the code only as REDACTED, tokens by role', () => {
    const oidc = createTokenRegistry()
    const idToken = oidc.record({ value: makeJwt({ sub: 'u1', aud: 'spa', nonce: 'n' }, { alg: 'ES256', typ: 'JWT' }), place: { source: 'response-body', key: 'id_token' }, direction: 'received', at: 0 }).token
    const tokens = new Map([[idToken.id, idToken]])
    const base = { at: 0, source: 'network', seq: 1, fingerprint: 'f', flow: 1 } as const
    const request = describeEvent({ ...base, kind: 'authorization-request', endpoint: 'https://idp.example/authorize', responseType: 'code', clientId: 'spa', redirectUri: 'https://app.example/cb', scope: 'openid', pkce: 'S256', state: true, nonce: false, pushed: false }, tokens)
    expect(request).toEqual({ title: 'Authorization request', detail: 'response_type code · PKCE S256 · state yes · nonce no · scope openid · client_id spa · → https://idp.example/authorize' })
    const response = describeEvent({ ...base, kind: 'authorization-response', redirectUri: 'https://app.example/cb', mode: 'query', code: true, error: null, state: 'matches', iss: true, frontChannel: [] }, tokens)
    expect(response).toEqual({ title: 'Authorization response', detail: 'code REDACTED · state matches the request · iss yes · via query · → https://app.example/cb' })
    expect(describeEvent({ ...base, kind: 'authorization-response', redirectUri: 'https://app.example/cb', mode: 'query', code: false, error: 'access_denied', state: 'mismatch', iss: false, frontChannel: [] }, tokens).title).toBe('Authorization error: access_denied')
    const exchange = describeEvent({ ...base, kind: 'token-response', endpoint: 'https://idp.example/token', grantType: 'authorization_code', status: 200, codeVerifier: true, idTokenId: idToken.id, accessTokenId: null, refreshTokenId: null, expiresIn: 300, tokenType: 'Bearer', nonce: 'mismatch', error: null }, tokens)
    expect(exchange).toEqual({ title: 'Code exchange', detail: `200 · code_verifier sent · ID token for u1 · ${idToken.id.slice(1, 9)} · expires_in 300s · nonce does not match the request · at https://idp.example/token` })
    expect(describeEvent({ ...base, kind: 'token-response', endpoint: 'https://idp.example/token', grantType: 'client_credentials', status: 400, codeVerifier: null, idTokenId: null, accessTokenId: null, refreshTokenId: null, expiresIn: null, tokenType: null, nonce: 'unchecked', error: 'invalid_client' }, tokens).title).toBe('Token request (client_credentials)')
    const dpopExchange = describeEvent({ ...base, kind: 'token-response', endpoint: 'https://idp.example/token', grantType: 'authorization_code', status: 200, codeVerifier: true, idTokenId: null, accessTokenId: null, refreshTokenId: null, expiresIn: 300, tokenType: 'DPoP', nonce: 'unchecked', error: null }, tokens)
    expect(dpopExchange.detail).toBe('200 · code_verifier sent · expires_in 300s · token_type DPoP · at https://idp.example/token')
    expect(describeEvent({ ...base, kind: 'end-session', endpoint: 'https://idp.example/logout', idTokenId: idToken.id, idTokenHint: true, postLogoutRedirectUri: 'https://app.example/', clientId: null }, tokens).detail).toMatch(/^id_token_hint ID token for u1/)
    expect(roleBasisText(idToken)).toBe('seen as id_token')
  })

  it('describes a DPoP request: the proof decoded, the binding first, and marks for what the P rules flag', () => {
    const dpop = createTokenRegistry()
    const bound = dpop.record({ value: makeJwt({ sub: 'u1', cnf: { jkt: 'JKT-of-the-key' } }, { alg: 'ES256', typ: 'at+jwt' }), place: { source: 'authorization-header', key: 'Authorization' }, direction: 'sent', at: 0 }).token
    const tokens = new Map([[bound.id, bound]])
    const proof: DpopProofView = { header: {}, claims: {}, otherMembers: [], jkt: 'JKT-of-the-key', keyType: 'EC P-256', htm: 'GET', htu: 'https://rs.example/notes', jti: 'j-1', iat: new Date(2026, 0, 1, 9, 5, 7).getTime() / 1000, ath: 'matches', nonce: true, fits: { htm: true, htu: true }, replayed: false, problems: [] }
    const event = (e: Partial<DpopEvent>): DpopEvent => ({ kind: 'dpop-request', at: 0, source: 'network', fingerprint: 'f', method: 'GET', url: 'https://rs.example/notes?page=2', status: 200, proof, token: { id: bound.id, scheme: 'DPoP', binding: 'yes', boundTo: 'JKT-of-the-key' }, ...e })
    expect(describeEvent({ ...event({}), seq: 1 }, tokens)).toEqual({
      title: 'DPoP proof',
      detail: `GET /notes?… (200) · binding: yes (the proof’s key is the token’s) · key EC P-256 thumbprint JKT-of-the-key · htm GET · htu https://rs.example/notes · jti j-1 · iat 09:05:07.000 · ath matches the token · nonce yes · access token for u1 · ${bound.id.slice(1, 9)} as DPoP`,
    })
    expect(dpopBadges(event({})).map((b) => `${b.label} ${b.tone}`)).toEqual(['binding: yes good'])
    const downgrade = event({ proof: null, token: { id: bound.id, scheme: 'Bearer', binding: 'bearer', boundTo: 'JKT-of-the-key' } })
    expect(describeEvent({ ...downgrade, seq: 2 }, tokens).title).toBe('DPoP-bound token as Bearer')
    expect(dpopBadges(downgrade).map((b) => b.label)).toEqual(['Bearer downgrade'])
    const sloppy = event({ token: { id: bound.id, scheme: 'DPoP', binding: 'no', boundTo: 'x' }, proof: { ...proof, fits: { htm: true, htu: false }, replayed: true, ath: 'missing', problems: ['typ'] } })
    expect(dpopBadges(sloppy).map((b) => b.label)).toEqual(['binding: no', 'jti replayed', 'htu ≠ request', 'no ath', 'malformed proof'])
    expect(describeEvent({ ...sloppy, seq: 3 }, tokens).detail).toContain('htu https://rs.example/notes ≠ request · jti j-1 (seen before: replayed)')
  })

  it('says what a token is bound to and how it was sent', () => {
    const registry = createTokenRegistry()
    const bound = registry.record({ value: makeJwt({ sub: 'u1', cnf: { jkt: 'JKT' } }), place: { source: 'response-body', key: 'access_token' }, direction: 'received', at: 0 }).token
    const plain = registry.record({ value: makeJwt({ sub: 'u2' }), place: { source: 'response-body', key: 'access_token' }, direction: 'received', at: 0 }).token
    expect(bindingText(bound, undefined)).toEqual({ headline: 'DPoP-bound (key thumbprint JKT): its cnf.jkt', uses: null })
    expect(bindingText(plain, undefined)).toBeNull()
    const sent: TokenDpop = { tokenId: plain.id, jkt: 'PROOF-KEY', basis: 'token_type', sent: { yes: 3, no: 0, 'no-proof': 0, bearer: 1, unknown: 0 }, lastBearer: null }
    expect(bindingText(plain, sent)).toEqual({
      headline: 'DPoP-bound (key thumbprint PROOF-KEY): issued with token_type DPoP to the key of the proof on its token request',
      uses: 'sent ×3 with a proof of that key (binding: yes) · ×1 as Bearer (downgrade, audit P1)',
    })
  })
})
