import { encodeBase64Url } from './base64url.ts'
import type { JsonObject } from './decode.ts'
import { sha256 } from './sha256.ts'

/**
 * RFC 7638 JWK thumbprints (SHA-256, base64url): the name DPoP gives a key. An access token bound
 * to a key carries it as `cnf.jkt` (RFC 9449 §6); a proof carries the key itself in its `jwk`
 * header, and the two match when the thumbprint of that key equals `cnf.jkt`.
 */

/** RFC 7638 §3.2 and RFC 8037 §2: the required members of each key type, in lexicographic order. */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
}

const MAX_MEMBER_CHARS = 2048

/** The thumbprint of a public key, or null when `jwk` is not an EC, RSA or OKP key with its required members. */
export function jwkThumbprint(jwk: JsonObject): string | null {
  const members = typeof jwk['kty'] === 'string' ? REQUIRED_MEMBERS[jwk['kty']] : undefined
  if (!members) return null
  const values = members.map((name) => jwk[name])
  if (!values.every((value) => typeof value === 'string' && value.length > 0 && value.length <= MAX_MEMBER_CHARS)) return null
  // No whitespace, members in order (RFC 7638 §3.3): JSON.stringify of the values does the escaping.
  const canonical = `{${members.map((name, i) => `${JSON.stringify(name)}:${JSON.stringify(values[i])}`).join(',')}}`
  return base64UrlSha256(canonical)
}

/** BASE64URL(SHA-256(text)) over its UTF-8 bytes: a thumbprint, or a proof's `ath` (RFC 9449 §4.2). */
export function base64UrlSha256(text: string): string {
  return encodeBase64Url(sha256(new TextEncoder().encode(text)))
}
