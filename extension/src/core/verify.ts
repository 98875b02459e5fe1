import { decodeBase64Url } from './base64url.ts'
import type { JsonObject } from './decode.ts'
import type { ObservedKey, PublicJwk } from './jwks.ts'

/**
 * Offline signature verification of a JWS with WebCrypto, against the keys the page itself fetched
 * (jwks.ts). Nothing is requested and nothing leaves the machine. The key is chosen by `kid` and
 * must fit the token's `alg` (key type, curve, the key's own `alg`): a public key is never used as
 * an HMAC secret (RFC 8725 §2.1, algorithm confusion), so HS* tokens need the server's secret and
 * stay unverifiable, unless the weak-secret check (J2) found it.
 */

export type SignatureCheck =
  | { status: 'verified'; kid: string | null; url: string; seenAt: number }
  | { status: 'mismatch'; kid: string | null; url: string; seenAt: number }
  | { status: 'no-key'; kid: string | null }
  | { status: 'needs-secret'; alg: string }
  | { status: 'weak-secret'; alg: string; secret: string }
  | { status: 'unsigned' }
  | { status: 'unsupported'; alg: string }

export interface SignedToken {
  header: JsonObject
  signingInput: string
  signature: string
}

type Scheme = { kty: PublicJwk['kty']; crv?: string; import: RsaHashedImportParams | EcKeyImportParams | Algorithm; verify: Algorithm | RsaPssParams | EcdsaParams }

const rsa = (name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS', bits: 256 | 384 | 512): Scheme => ({
  kty: 'RSA',
  import: { name, hash: `SHA-${bits}` },
  // RFC 7518 §3.5: the PSS salt is as long as the hash.
  verify: name === 'RSA-PSS' ? { name, saltLength: bits / 8 } : { name },
})
const ecdsa = (crv: 'P-256' | 'P-384' | 'P-521', bits: 256 | 384 | 512): Scheme => ({ kty: 'EC', crv, import: { name: 'ECDSA', namedCurve: crv }, verify: { name: 'ECDSA', hash: `SHA-${bits}` } })
const ed25519: Scheme = { kty: 'OKP', crv: 'Ed25519', import: { name: 'Ed25519' }, verify: { name: 'Ed25519' } }

/** RFC 7518 §3.1 and RFC 8037 (EdDSA), RFC 9864 (Ed25519). */
const SCHEMES: Readonly<Record<string, Scheme>> = {
  RS256: rsa('RSASSA-PKCS1-v1_5', 256),
  RS384: rsa('RSASSA-PKCS1-v1_5', 384),
  RS512: rsa('RSASSA-PKCS1-v1_5', 512),
  PS256: rsa('RSA-PSS', 256),
  PS384: rsa('RSA-PSS', 384),
  PS512: rsa('RSA-PSS', 512),
  ES256: ecdsa('P-256', 256),
  ES384: ecdsa('P-384', 384),
  ES512: ecdsa('P-521', 512),
  EdDSA: ed25519,
  Ed25519: ed25519,
}

function fits(jwk: PublicJwk, alg: string, scheme: Scheme): boolean {
  return jwk.kty === scheme.kty && (scheme.crv === undefined || jwk.crv === scheme.crv) && (jwk.alg === undefined || jwk.alg === alg)
}

async function verifyWith(key: PublicJwk, scheme: Scheme, token: SignedToken): Promise<boolean> {
  try {
    const { kid: _kid, alg: _alg, use: _use, ...material } = key
    const cryptoKey = await crypto.subtle.importKey('jwk', material as JsonWebKey, scheme.import, false, ['verify'])
    return await crypto.subtle.verify(scheme.verify, cryptoKey, decodeBase64Url(token.signature) as BufferSource, new TextEncoder().encode(token.signingInput))
  } catch {
    // A malformed key or signature verifies nothing.
    return false
  }
}

/**
 * Checks `token` against `keys` (newest first). `weakSecret` is what J2 found for an HS* token.
 * Never throws.
 */
export async function checkSignature(token: SignedToken, keys: readonly ObservedKey[], weakSecret: string | null = null): Promise<SignatureCheck> {
  const alg = typeof token.header['alg'] === 'string' ? token.header['alg'] : ''
  if (token.signature === '' || alg.toLowerCase() === 'none') return { status: 'unsigned' }
  if (/^HS(256|384|512)$/.test(alg)) return weakSecret === null ? { status: 'needs-secret', alg } : { status: 'weak-secret', alg, secret: weakSecret }
  const scheme = SCHEMES[alg]
  if (!scheme) return { status: 'unsupported', alg }
  const kid = typeof token.header['kid'] === 'string' ? token.header['kid'] : null
  const candidates = keys.filter((k) => (kid === null || k.jwk.kid === kid) && fits(k.jwk, alg, scheme))
  if (candidates.length === 0) return { status: 'no-key', kid }
  for (const candidate of candidates) {
    if (await verifyWith(candidate.jwk, scheme, token)) return { status: 'verified', kid: candidate.jwk.kid ?? null, url: candidate.url, seenAt: candidate.seenAt }
  }
  const [newest] = candidates as [ObservedKey, ...ObservedKey[]]
  return { status: 'mismatch', kid: newest.jwk.kid ?? null, url: newest.url, seenAt: newest.seenAt }
}
