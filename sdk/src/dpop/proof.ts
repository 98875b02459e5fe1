import { base64url } from '../encoding.ts'
import { ES256 } from './key-store.ts'

const encoder = new TextEncoder()
const segment = (value: object) => base64url(encoder.encode(JSON.stringify(value)))

/** The claims of a DPoP proof (RFC 9449 §4.2). */
export interface ProofClaims {
  jti: string
  htm: string
  htu: string
  iat: number
  ath?: string
  nonce?: string
}

/**
 * The public half as the proof's `jwk` header carries it: the members RFC 7638 hashes into the
 * thumbprint (`cnf.jkt`) and nothing else, so no private member can ever slip in (D3).
 */
export async function publicJwk(publicKey: CryptoKey): Promise<JsonWebKey> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', publicKey)
  return { kty, crv, x, y }
}

/**
 * A DPoP proof: a JWS in compact serialization (RFC 7515 §7.1), signed ES256. WebCrypto's ECDSA
 * signature is already the raw r || s (IEEE P1363) a JWS carries (RFC 7518 §3.4), no DER to undo.
 */
export async function signProof(privateKey: CryptoKey, jwk: JsonWebKey, claims: ProofClaims): Promise<string> {
  const input = `${segment({ typ: 'dpop+jwt', alg: 'ES256', jwk })}.${segment(claims)}`
  return `${input}.${base64url(new Uint8Array(await crypto.subtle.sign(ES256, privateKey, encoder.encode(input))))}`
}

/** `htu`: the request's URL without query and fragment (RFC 9449 §4.2); `origin` leaves out any userinfo too. */
export const htu = (url: URL): string => url.origin + url.pathname
