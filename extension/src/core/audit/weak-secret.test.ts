import { describe, expect, it } from 'vitest'
import { findWeakSecret, runAudit } from './index.ts'
import { RFC7519_3_1, makeJwt, signHmacJwt } from '../testing/tokens.ts'
import { tokenRecords } from '../testing/records.ts'

const NOW = Date.UTC(2026, 0, 1)
const claims = { iss: 'https://issuer.example', aud: 'https://api.example.com', sub: 'u1', iat: NOW / 1000, exp: NOW / 1000 + 600 }

describe('J2 weak HMAC secret', () => {
  it('J2 finds HS256/384/512 tokens signed with default secrets, offline with WebCrypto', async () => {
    expect(await findWeakSecret(await signHmacJwt(claims, 'secret'))).toBe('"secret"')
    expect(await findWeakSecret(await signHmacJwt(claims, 'your-256-bit-secret', 'HS384'))).toBe('"your-256-bit-secret"')
    expect(await findWeakSecret(await signHmacJwt(claims, 'keyboard cat', 'HS512'))).toBe('"keyboard cat"')
  })

  it('J2 recognises the RFC 7515 A.1 published key behind the RFC 7519 §3.1 example', async () => {
    expect(await findWeakSecret(RFC7519_3_1)).toMatch(/RFC 7515 Appendix A\.1/)
  })

  it('J2 negative: a random secret, an RS256 token, an unsigned token and junk are not flagged, and nothing throws', async () => {
    const random = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('')
    expect(await findWeakSecret(await signHmacJwt(claims, random))).toBeNull()
    expect(await findWeakSecret(makeJwt(claims, { alg: 'RS256' }))).toBeNull()
    expect(await findWeakSecret(makeJwt(claims, { alg: 'HS256' }, ''))).toBeNull()
    expect(await findWeakSecret('not.a.token')).toBeNull()
    expect(await findWeakSecret('')).toBeNull()
  })

  it('J2 runAudit reports it as high, with a cache that spares re-checks; extra secrets are configurable', async () => {
    const weak = await signHmacJwt(claims, 'changeme')
    const custom = await signHmacJwt({ ...claims, sub: 'u2' }, 'acme-dev-secret')
    const tokens = tokenRecords({ value: weak, source: 'authorization-header' }, { value: custom, source: 'local-storage' })
    const cache = new Map<string, string | null>()
    const first = (await runAudit({ tokens, cookies: [], nowMs: NOW }, cache)).filter((f) => f.ruleId === 'J2')
    expect(first).toMatchObject([{ severity: 'high', evidence: { tokenId: tokens[0]?.id } }])
    expect(first[0]?.detail).toMatch(/"changeme"/)
    expect(cache.size).toBe(2)
    const withExtra = await runAudit({ tokens, cookies: [], nowMs: NOW, options: { extraWeakSecrets: ['acme-dev-secret'] } })
    expect(withExtra.filter((f) => f.ruleId === 'J2')).toHaveLength(2)
  })
})
