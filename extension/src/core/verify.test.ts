import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { inspectToken } from './decode.ts'
import type { ObservedKey, PublicJwk } from './jwks.ts'
import { RFC7515_A2_PUBLIC_KEY, RFC7515_A2_RS256, RFC7515_A3_ES256, RFC7515_A3_PUBLIC_KEY, RFC7519_3_1, RFC7519_6_1 } from './testing/tokens.ts'
import { checkSignature } from './verify.ts'

const URL = 'https://issuer.example/.well-known/jwks.json'
const key = (jwk: PublicJwk | JWK, seenAt = 1): ObservedKey => ({ jwk: jwk as PublicJwk, url: URL, seenAt })
const signed = (token: string) => {
  const inspection = inspectToken(token)
  if (inspection.kind !== 'jws') throw new Error(`not a JWS: ${inspection.kind}`)
  return inspection
}
/** The token with one character of its signature changed: the first, since the last may only hold padding bits. */
const tampered = (token: string) => {
  const at = token.lastIndexOf('.') + 1
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`
}

describe('checkSignature', () => {
  it('RFC 7515 A.2 (RS256) and A.3 (ES256) verify with the keys printed there, and fail once altered', async () => {
    expect(await checkSignature(signed(RFC7515_A2_RS256), [key(RFC7515_A2_PUBLIC_KEY)])).toEqual({ status: 'verified', kid: null, url: URL, seenAt: 1 })
    expect(await checkSignature(signed(RFC7515_A3_ES256), [key(RFC7515_A3_PUBLIC_KEY)])).toMatchObject({ status: 'verified' })
    expect(await checkSignature(signed(tampered(RFC7515_A2_RS256)), [key(RFC7515_A2_PUBLIC_KEY)])).toMatchObject({ status: 'mismatch' })
    expect(await checkSignature(signed(tampered(RFC7515_A3_ES256)), [key(RFC7515_A3_PUBLIC_KEY)])).toMatchObject({ status: 'mismatch' })
    // Claims changed, signature kept (M3's forgery, seen from the client).
    const [header, , signature] = RFC7515_A3_ES256.split('.')
    const forged = `${header}.${Buffer.from('{"iss":"joe","admin":true}').toString('base64url')}.${signature}`
    expect(await checkSignature(signed(forged), [key(RFC7515_A3_PUBLIC_KEY)])).toMatchObject({ status: 'mismatch' })
  })

  it('RFC 7515 A.1 (HS256) needs the secret; a public key is never used as one (RFC 8725 §2.1); J2’s weak secret counts', async () => {
    expect(await checkSignature(signed(RFC7519_3_1), [key(RFC7515_A2_PUBLIC_KEY), key(RFC7515_A3_PUBLIC_KEY)])).toEqual({ status: 'needs-secret', alg: 'HS256' })
    expect(await checkSignature(signed(RFC7519_3_1), [], 'the RFC 7515 Appendix A.1 example key')).toEqual({ status: 'weak-secret', alg: 'HS256', secret: 'the RFC 7515 Appendix A.1 example key' })
    expect(await checkSignature(signed(RFC7519_6_1), [key(RFC7515_A3_PUBLIC_KEY)])).toEqual({ status: 'unsigned' })
  })

  for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const) {
    it(`${alg} tokens from jose verify with their JWK by kid; another key with that kid is a mismatch`, async () => {
      const make = async (kid: string) => {
        const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
        return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig' } }
      }
      const [mine, other] = await Promise.all([make('k-1'), make('k-2')])
      const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg, kid: 'k-1' }).setIssuedAt().setExpirationTime('5m').sign(mine.privateKey)
      expect(await checkSignature(signed(token), [key(other.jwk, 1), key(mine.jwk, 2)])).toEqual({ status: 'verified', kid: 'k-1', url: URL, seenAt: 2 })
      // The issuer rotated: the page's JWKS now has a different key under the old kid.
      expect(await checkSignature(signed(token), [key({ ...other.jwk, kid: 'k-1' })])).toMatchObject({ status: 'mismatch', kid: 'k-1' })
      expect(await checkSignature(signed(token), [key(other.jwk)])).toEqual({ status: 'no-key', kid: 'k-1' })
      expect(await checkSignature(signed(tampered(token)), [key(mine.jwk)])).toMatchObject({ status: 'mismatch' })
    })
  }

  it('a key that does not fit the alg is no key for it: other type, other curve, or another alg named by the key', async () => {
    const es256 = signed(RFC7515_A3_ES256)
    expect(await checkSignature(es256, [key(RFC7515_A2_PUBLIC_KEY)])).toEqual({ status: 'no-key', kid: null })
    expect(await checkSignature(es256, [key({ ...RFC7515_A3_PUBLIC_KEY, crv: 'P-384' })])).toEqual({ status: 'no-key', kid: null })
    expect(await checkSignature(es256, [key({ ...RFC7515_A3_PUBLIC_KEY, alg: 'ES384' })])).toEqual({ status: 'no-key', kid: null })
    expect(await checkSignature(es256, [key({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' })])).toMatchObject({ status: 'mismatch' })
    expect(await checkSignature(signed(RFC7515_A3_ES256.replace('eyJhbGciOiJFUzI1NiJ9', Buffer.from('{"alg":"ES256K"}').toString('base64url'))), [key(RFC7515_A3_PUBLIC_KEY)])).toEqual({ status: 'unsupported', alg: 'ES256K' })
  })
})
