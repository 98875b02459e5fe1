import { base64url } from './jwt.ts'

/**
 * The RFC 7638 SHA-256 thumbprint of an elliptic-curve public key: what `cnf.jkt` of a DPoP-bound
 * token holds (RFC 9449 §6.1). The required members only, in lexicographic order, no whitespace.
 */
export async function ecThumbprint(publicKey: CryptoKey): Promise<string> {
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', publicKey)
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })))
  return base64url(new Uint8Array(digest))
}
