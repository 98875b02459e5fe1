import { describe, expect, it } from 'vitest'
import { auditSync, type AuditInput, type RuleId } from './index.ts'
import { RFC7519_3_1, RFC7519_6_1, makeJwt } from '../testing/tokens.ts'
import { tokenRecords, type SightingSpec } from '../testing/records.ts'

const NOW = Date.UTC(2026, 0, 1)
const S = (ms: number) => Math.floor(ms / 1000)
const GOOD = { iss: 'https://issuer.example', aud: 'https://api.example.com', sub: 'u1', iat: S(NOW - 60_000), exp: S(NOW + 840_000) }
const goodJwt = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = { alg: 'RS256', typ: 'at+jwt', kid: 'key-2026-01' }) => makeJwt({ ...GOOD, ...claims }, header)

function findings(rule: RuleId, specs: SightingSpec[], extra: Partial<AuditInput> = {}) {
  return auditSync({ tokens: tokenRecords(...specs), cookies: [], nowMs: NOW, ...extra }).filter((f) => f.ruleId === rule)
}
const bearer = (value: string, at = NOW): SightingSpec => ({ value, source: 'authorization-header', key: 'Authorization', at, exchange: { method: 'GET', url: 'https://api.example.com/notes', status: 200 } })
const stored = (value: string, at = NOW): SightingSpec => ({ value, source: 'local-storage', key: 'token', at })

describe('JWT rules', () => {
  it('J1 alg none (any case) is critical (E2: the RFC 7519 §6.1 example); a signed token is not flagged', () => {
    const [none] = findings('J1', [stored(RFC7519_6_1)])
    expect(none).toMatchObject({ severity: 'critical', title: 'Unsecured JWT', reference: expect.stringMatching(/RFC 8725 §3\.1/) })
    expect(findings('J1', [stored(makeJwt(GOOD, { alg: 'NoNe' }))])).toHaveLength(1)
    expect(findings('J1', [stored(RFC7519_3_1)])).toEqual([])
  })

  it('J1 an empty signature seen outside the SDK bridge is high; the bridge stripping it by design is not', () => {
    const stripped = goodJwt().split('.').slice(0, 2).join('.') + '.'
    expect(findings('J1', [stored(stripped)])).toMatchObject([{ severity: 'high' }])
    expect(findings('J1', [{ value: stripped, source: 'sdk-bridge', key: 'memory' }])).toEqual([])
  })

  it('J3 jku/x5u/jwk/x5c headers and a kid with path, URL or SQL syntax; a plain kid is fine', () => {
    for (const header of [{ alg: 'RS256', jku: 'https://evil.example/jwks' }, { alg: 'RS256', x5u: 'https://evil.example/cert' }, { alg: 'RS256', jwk: { kty: 'oct' } }, { alg: 'RS256', x5c: ['MII'] }]) {
      expect(findings('J3', [stored(goodJwt({}, header))]), JSON.stringify(header)).toMatchObject([{ severity: 'medium' }])
    }
    for (const kid of ['../../dev/null', "' OR 1=1--", 'https://evil.example/key', 42, 'k'.repeat(300)]) {
      expect(findings('J3', [stored(goodJwt({}, { alg: 'RS256', kid }))]), String(kid)).toHaveLength(1)
    }
    expect(findings('J3', [stored(goodJwt())])).toEqual([])
  })

  it('J4 no exp: critical for an access token (E7), medium otherwise; present exp is fine', () => {
    const { exp: _exp, ...noExp } = GOOD
    expect(findings('J4', [bearer(makeJwt(noExp, { alg: 'RS256', typ: 'at+jwt' }))])).toMatchObject([{ severity: 'critical' }])
    expect(findings('J4', [{ value: makeJwt({ ...noExp, nonce: 'n' }, { alg: 'RS256', typ: 'JWT' }), source: 'response-body', key: 'id_token', direction: 'received' }])).toMatchObject([{ severity: 'medium' }])
    expect(findings('J4', [bearer(goodJwt())])).toEqual([])
  })

  it('J5 lifetime above 1 h is low, above 24 h medium (E7); 15 minutes is fine', () => {
    expect(findings('J5', [bearer(goodJwt({ exp: GOOD.iat + 2 * 3600 }))])).toMatchObject([{ severity: 'low' }])
    expect(findings('J5', [bearer(goodJwt({ exp: GOOD.iat + 30 * 86_400 }))])).toMatchObject([{ severity: 'medium' }])
    expect(findings('J5', [bearer(goodJwt({ iat: undefined, exp: S(NOW) + 7200 }))])[0]?.detail).toMatch(/or more/)
    expect(findings('J5', [bearer(goodJwt())])).toEqual([])
    expect(auditSync({ tokens: tokenRecords(bearer(goodJwt({ exp: GOOD.iat + 2 * 3600 }))), cookies: [], nowMs: NOW, options: { longLivedSeconds: 3 * 3600 } })).toEqual([])
  })

  it('J6 iat in the future (E8) is an info finding, explained with the server Date when known; a past iat is not', () => {
    const future = goodJwt({ iat: S(NOW + 600_000), exp: S(NOW + 1_200_000) })
    expect(findings('J6', [bearer(future)])).toMatchObject([{ severity: 'info', detail: expect.stringMatching(/no server Date header/) }])
    const clock = { offsetMs: 600_000, uncertaintyMs: 500, samples: 3 }
    const withClock = findings('J6', [bearer(future)], { clock })
    expect(withClock.map((f) => f.id).sort()).toEqual(['J6:clock', expect.stringMatching(/^J6:t/)].sort())
    expect(withClock.find((f) => f.id !== 'J6:clock')?.detail).toMatch(/clock is behind/)
    expect(findings('J6', [bearer(goodJwt())])).toEqual([])
    expect(findings('J6', [bearer(goodJwt())], { clock: { offsetMs: 20_000, uncertaintyMs: 500, samples: 1 } })).toEqual([])
  })

  it('J8 missing iss or aud, and aud naming another host than the one the token is sent to', () => {
    expect(findings('J8', [bearer(goodJwt({ aud: undefined }))])[0]?.detail).toMatch(/"aud"/)
    expect(findings('J8', [bearer(goodJwt({ iss: undefined, aud: undefined }))])[0]?.detail).toMatch(/"iss" or "aud"/)
    expect(findings('J8', [bearer(goodJwt({ aud: 'https://billing.example.com' }))])).toMatchObject([{ evidence: { request: { url: 'https://api.example.com/notes' } } }])
    expect(findings('J8', [bearer(goodJwt())])).toEqual([])
    expect(findings('J8', [bearer(goodJwt({ aud: 'authlens-api' }))])).toEqual([])
  })

  it('J9 an access token without typ is info; typ present, or a non-access token, is fine', () => {
    expect(findings('J9', [bearer(goodJwt({}, { alg: 'RS256' }))])).toMatchObject([{ severity: 'info' }])
    expect(findings('J9', [bearer(goodJwt())])).toEqual([])
    expect(findings('J9', [{ value: goodJwt({ nonce: 'n' }, { alg: 'RS256' }), source: 'response-body', key: 'id_token', direction: 'received' }])).toEqual([])
  })

  it('J10 personal claims (E10: email, phone, address) and secret-looking claims; names listed, values never shown', () => {
    const [privacy] = findings('J10', [bearer(goodJwt({ email: 'ada@example.com', phone_number: '+44 20 7946 0000', address: { street_address: '1 Main St' } }))])
    expect(privacy).toMatchObject({ severity: 'medium' })
    expect(privacy?.detail).toMatch(/email, phone_number, address/)
    expect(JSON.stringify(privacy)).not.toMatch(/ada@example\.com|7946/)
    expect(findings('J10', [bearer(goodJwt({ api_key: 'k' }))])[0]?.detail).toMatch(/secret-looking claims \(api_key\)/)
    expect(findings('J10', [bearer(goodJwt({ email_verified: true, role: 'admin' }))])).toEqual([])
  })

  it('E2 the RFC 7519 §6.1 unsecured JWT: decoded, and the audit reports a critical alg: none', () => {
    const all = auditSync({ tokens: tokenRecords(stored(RFC7519_6_1)), cookies: [], nowMs: NOW })
    expect(all[0]).toMatchObject({ ruleId: 'J1', severity: 'critical' })
    expect(all[0]?.detail).toMatch(/"alg": "none"/)
  })

  it('E7 access token lifetime over 1 h is a warning, no exp is critical; a 15-minute token neither', () => {
    const { exp: _exp, ...noExp } = GOOD
    expect(findings('J5', [bearer(goodJwt({ exp: GOOD.iat + 3 * 3600 }))]).map((f) => f.severity)).toEqual(['low'])
    expect(findings('J4', [bearer(makeJwt(noExp))]).map((f) => f.severity)).toEqual(['critical'])
    expect([...findings('J4', [bearer(goodJwt())]), ...findings('J5', [bearer(goodJwt())])]).toEqual([])
  })
})
