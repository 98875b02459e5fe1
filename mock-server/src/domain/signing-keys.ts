import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { ConfigurationError } from './errors.ts'
import { base64url, randomToken } from './random.ts'

export type SigningAlgorithm = 'HS256' | 'ES256'

export interface SigningKey {
  kid: string
  /** The only algorithm this key may be used with: the allow-list is per key (M2). */
  alg: SigningAlgorithm
  signKey: CryptoKey
  verifyKey: CryptoKey
  /** Public JWK for `/.well-known/jwks.json`; absent for HMAC secrets, which are never published. */
  publicJwk?: JWK
}

const MIN_HMAC_BYTES = 32

/**
 * HMAC secrets shorter than the hash output, or that look like a passphrase (only letters, digits
 * and a few separators, as people type them), are brute-forced offline from one token (RFC 8725
 * §3.5): the backend refuses to start with one (M25).
 */
export function assertStrongHmacSecret(secret: Uint8Array | string): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
  if (bytes.length < MIN_HMAC_BYTES) {
    throw new ConfigurationError(
      'weak_secret',
      `HS256 secret has ${bytes.length * 8} bits; at least ${MIN_HMAC_BYTES * 8} random bits are required (RFC 8725 §3.5)`,
    )
  }
  if (typeof secret === 'string' && looksLikePassphrase(secret)) {
    throw new ConfigurationError(
      'weak_secret',
      'HS256 secret looks like a passphrase; use 32+ random bytes (e.g. base64url of crypto.getRandomValues)',
    )
  }
  if (new Set(bytes).size < 8) {
    throw new ConfigurationError('weak_secret', 'HS256 secret has too little variety to be random')
  }
  return bytes
}

/**
 * A word as people type it: one case, Capitalized or CamelCase, maybe a number after it. Random
 * base64url almost never splits into such words (its letters change case at random), whereas a
 * case-insensitive test refused about 1 in 1,200 base64url secrets of 32 random bytes.
 */
const TYPED_WORD = /^(?:[a-z]+|[A-Z]+|(?:[A-Z][a-z]+)+)\d*$|^\d+$/

function looksLikePassphrase(secret: string): boolean {
  const words = secret.split(/[\s.,'!?_-]+/).filter(Boolean)
  return words.length > 0 && words.every((word) => TYPED_WORD.test(word))
}

export async function createSigningKey(
  alg: SigningAlgorithm,
  hmacSecret?: Uint8Array | string,
): Promise<SigningKey> {
  if (alg === 'HS256') {
    const secret = hmacSecret === undefined ? crypto.getRandomValues(new Uint8Array(32)) : assertStrongHmacSecret(hmacSecret)
    // Imported once: handing jose raw bytes would re-import the key on every verification.
    const key = await crypto.subtle.importKey('raw', secret as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
    return { kid: await hmacKeyId(key), alg, signKey: key, verifyKey: key }
  }
  const kid = randomToken(8)
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, alg, signKey: privateKey, verifyKey: publicKey, publicJwk }
}

/**
 * Instances given the same secret must name the key alike, or each would refuse the others'
 * tokens as `unknown_key` (M7). A MAC of a fixed label names the key and reveals nothing of it.
 */
async function hmacKeyId(key: CryptoKey): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('authlens key id'))
  return base64url(new Uint8Array(mac).slice(0, 8))
}
