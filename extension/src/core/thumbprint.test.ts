import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { base64UrlSha256, jwkThumbprint } from './thumbprint.ts'

/** RFC 7638 §3.1: the RSA key of RFC 7517 Appendix A.1 and its thumbprint. */
const RFC7638_KEY = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
}

/** RFC 9449 §4.1's proof key and §6.1's `cnf.jkt` for it. */
const RFC9449_KEY = { kty: 'EC', x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs', y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA', crv: 'P-256' }

describe('JWK thumbprint (RFC 7638)', () => {
  it('the RFC examples: RFC 7638 §3.1 (RSA, optional members ignored) and RFC 9449 §6.1 (EC)', () => {
    expect(jwkThumbprint(RFC7638_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
    expect(jwkThumbprint(RFC9449_KEY)).toBe('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I')
  })

  it('agrees with jose for generated EC, RSA and Ed25519 keys', async () => {
    for (const alg of ['ES256', 'ES384', 'RS256', 'EdDSA'] as const) {
      const { publicKey } = await generateKeyPair(alg, { extractable: true })
      const jwk = await exportJWK(publicKey)
      expect(jwkThumbprint(jwk as Record<string, unknown>), alg).toBe(await calculateJwkThumbprint(jwk))
    }
  })

  it('null for symmetric keys, unknown types and missing or non-string members', () => {
    expect(jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' })).toBeNull()
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: RFC9449_KEY.x })).toBeNull()
    expect(jwkThumbprint({ ...RFC9449_KEY, y: 7 })).toBeNull()
    expect(jwkThumbprint({})).toBeNull()
  })

  it('ath: RFC 9449 §7.1 hashes the access token of its example', () => {
    expect(base64UrlSha256('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo')
  })
})
