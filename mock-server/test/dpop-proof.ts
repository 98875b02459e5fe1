import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import { randomToken, sha256 } from '../src/domain/random.ts'

/**
 * DPoP proofs (RFC 9449 §4.2) built with jose, for tests of the backend and of its clients: the
 * SDK's and the lab's tests may import this file. Every field can be overridden, so a test can
 * build exactly the wrong proof it needs.
 */
export interface DpopKey {
  alg: string
  privateKey: CryptoKey
  /** The public key as it goes in the proof's `jwk` header. */
  publicJwk: JWK
  /** RFC 7638 SHA-256 thumbprint: what `cnf.jkt` of a token bound to this key holds. */
  jkt: string
}

export async function generateDpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') }
}

export interface ProofOptions {
  /** At a resource: the token the proof is for (`ath`). */
  accessToken?: string
  nonce?: string
  /** Seconds; default the test process's clock. */
  iat?: number
  /** Default: 128 random bits. */
  jti?: string
  /** Replaces or adds protected header parameters (`typ`, `alg`, `jwk`, ...). */
  header?: Record<string, unknown>
  /** Replaces or adds claims; `undefined` drops one. */
  claims?: Record<string, unknown>
}

/** A proof for `method` and `url` (its query and fragment are dropped from `htu`, as clients do). */
export async function createDpopProof(key: DpopKey, method: string, url: string | URL, options: ProofOptions = {}): Promise<string> {
  const target = new URL(url)
  const claims: Record<string, unknown> = {
    jti: options.jti ?? randomToken(16),
    htm: method,
    htu: `${target.origin}${target.pathname}`,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    // `ath` is base64url(SHA-256(access token)), RFC 9449 §4.2.
    ...(options.accessToken === undefined ? {} : { ath: await sha256(options.accessToken) }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...options.claims,
  }
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...options.header }).sign(key.privateKey)
}
