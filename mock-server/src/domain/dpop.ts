import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose'
import type { Awaitable } from './awaitable.ts'
import type { Clock } from './clock.ts'
import type { DpopNonces } from './dpop-nonces.ts'
import { BackendError } from './errors.ts'
import { sha256 } from './random.ts'
import { timed, type Timings } from './timings.ts'

/** RFC 9449 §4.2: asymmetric only; `none` and every MAC algorithm are refused (D3). */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519']

export const DPOP_PROOF_TYPE = 'dpop+jwt'

/** An RSA 4096 key's proof is about 2 KB; nothing larger is read. */
export const MAX_PROOF_LENGTH = 8192

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
/** JWK members that only a private (or symmetric) key has (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/** Which check refused a proof: the `reason` of `invalid_dpop_proof`, and the key of the refusal counters. */
export type ProofRefusal =
  | 'missing'
  | 'multiple'
  | 'too_large'
  | 'malformed'
  | 'typ'
  | 'algorithm'
  | 'jwk'
  | 'signature'
  | 'claims'
  | 'htm'
  | 'htu'
  | 'iat'
  | 'ath'
  | 'key_mismatch'
  | 'nonce'
  | 'replay'

/**
 * Proofs already seen (stores implement it), so each is accepted once per key within the window
 * (RFC 9449 §11.1). `claim` is atomic: of two instances given the same key at once, one gets true.
 */
export interface DpopReplayRecords {
  /** Records the key until `expiresAt` (ms); false when it is already held past `now`. */
  claim(key: string, expiresAt: number, now: number): Awaitable<boolean>
}

export interface DpopProofOptions {
  clock: Clock
  /** How far `iat` may be from the backend's clock, either way, before tolerance. */
  windowSeconds: number
  clockToleranceSeconds: number
  replays: DpopReplayRecords
  nonces: DpopNonces
  /** Read per proof: the control route switches nonces on and off. */
  nonceRequired: () => boolean
}

/** What a proof is checked against: the request it came with. */
export interface ProofRequest {
  /** The `DPoP` header as received: several headers arrive joined by commas. */
  header: string | null
  method: string
  url: string
  /** At a resource: the token the proof must name in `ath` (RFC 9449 §4.3 step 11). */
  accessToken?: string
  /** At a resource: the thumbprint the token is bound to (`cnf.jkt`). */
  boundKey?: string
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what tokens and refresh families are bound to. */
  jkt: string
  jti: string
  iat: number
}

/**
 * RFC 9449 §4.3, every step, on the backend's clock. Signature, then claims; the proof's `jti` is
 * recorded only once everything else passed, so a refused proof never blocks a valid one.
 */
export class DpopProofs {
  constructor(private readonly options: DpopProofOptions) {}

  async verify(request: ProofRequest, timings?: Timings): Promise<VerifiedProof> {
    const { jkt, jti, iat, nonce } = await timed(timings, 'dpop', () => this.check(request))
    if (request.boundKey !== undefined && jkt !== request.boundKey) {
      throw invalidProof('key_mismatch', 'the proof is signed by another key than the one the access token is bound to')
    }
    const { clock, windowSeconds, clockToleranceSeconds, nonces, nonceRequired } = this.options
    if (nonceRequired() && (typeof nonce !== 'string' || !(await nonces.accepts(nonce)))) {
      throw new BackendError('use_dpop_nonce', 'the proof must carry the nonce in the DPoP-Nonce header', {
        reason: 'nonce',
        headers: { 'DPoP-Nonce': await nonces.current() },
      })
    }
    // Held one second past the last instant the `iat` check still accepts it.
    const expiresAt = (iat + windowSeconds + clockToleranceSeconds + 1) * 1000
    const fresh = await timed(timings, 'store', () => this.options.replays.claim(`${jkt}:${jti}`, expiresAt, clock.now()))
    if (!fresh) throw invalidProof('replay', 'this proof was already used')
    return { jkt, jti, iat }
  }

  private async check({ header, method, url, accessToken }: ProofRequest): Promise<VerifiedProof & { nonce: unknown }> {
    if (header === null || header === '') throw invalidProof('missing', 'send a DPoP proof in the DPoP header')
    if (header.includes(',')) throw invalidProof('multiple', 'send exactly one DPoP header')
    const proof = header.trim()
    if (proof.length > MAX_PROOF_LENGTH) throw invalidProof('too_large', 'the DPoP proof is too large')
    if (!COMPACT_JWS.test(proof)) throw invalidProof('malformed', 'the DPoP proof is not a compact JWS')
    let protectedHeader
    try {
      protectedHeader = decodeProtectedHeader(proof)
    } catch {
      throw invalidProof('malformed', 'the DPoP proof header is not readable')
    }
    if (protectedHeader.typ !== DPOP_PROOF_TYPE) throw invalidProof('typ', `the DPoP proof must have typ "${DPOP_PROOF_TYPE}"`)
    if (typeof protectedHeader.alg !== 'string' || !DPOP_ALGORITHMS.includes(protectedHeader.alg)) {
      throw invalidProof('algorithm', `the DPoP proof must be signed with one of ${DPOP_ALGORITHMS.join(', ')}`)
    }
    const jwk = protectedHeader.jwk
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalidProof('jwk', 'the DPoP proof must carry its public key in "jwk"')
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw invalidProof('jwk', 'the DPoP proof\'s "jwk" must be a public key only')

    const { clock, windowSeconds, clockToleranceSeconds } = this.options
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(proof, EmbeddedJWK, {
        algorithms: DPOP_ALGORITHMS,
        typ: DPOP_PROOF_TYPE,
        requiredClaims: ['jti', 'htm', 'htu', 'iat'],
        clockTolerance: clockToleranceSeconds,
        currentDate: new Date(clock.now()),
      }))
    } catch (error) {
      throw translateJoseError(error)
    }
    if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) throw invalidProof('claims', '"jti" must be a string of 1 to 256 characters')
    if (typeof payload.htm !== 'string' || typeof payload.htu !== 'string' || typeof payload.iat !== 'number') {
      throw invalidProof('claims', '"htm", "htu" and "iat" must be present')
    }
    if (payload.htm !== method) throw invalidProof('htm', `the proof is for another method than ${method}`)
    const htu = normalizeHtu(payload.htu)
    if (htu === undefined || htu !== normalizeHtu(url)) throw invalidProof('htu', 'the proof is for another URL')
    if (Math.abs(payload.iat - clock.now() / 1000) > windowSeconds + clockToleranceSeconds) {
      throw invalidProof('iat', 'the proof was not issued within the accepted window')
    }
    if (accessToken !== undefined && payload.ath !== (await sha256(accessToken))) {
      throw invalidProof('ath', 'the proof\'s "ath" is not the hash of this access token')
    }
    return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti: payload.jti, iat: payload.iat, nonce: payload.nonce }
  }
}

/**
 * The `htu` comparison form (RFC 9449 §4.3 step 9, RFC 3986 §6.2.2): query and fragment dropped;
 * scheme and host lower-cased, default port, dot segments and empty path normalised by URL
 * parsing; percent-escapes upper-cased and unreserved characters decoded. An unparseable URL
 * matches nothing.
 */
export function normalizeHtu(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  const path = url.pathname.replace(/%[0-9a-fA-F]{2}/g, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16))
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase()
  })
  return `${url.protocol}//${url.host}${path}`
}

function invalidProof(reason: ProofRefusal, description: string): BackendError {
  return new BackendError('invalid_dpop_proof', description, { reason })
}

function translateJoseError(error: unknown): BackendError {
  if (error instanceof BackendError) return error
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalidProof('signature', 'the DPoP proof\'s signature does not verify with its "jwk"')
  if (error instanceof errors.JOSEAlgNotAllowed) return invalidProof('algorithm', 'the DPoP proof\'s algorithm is not accepted')
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) {
    return invalidProof(error.claim === 'iat' ? 'iat' : 'claims', `the DPoP proof's "${error.claim}" is invalid: ${error.reason}`)
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JOSENotSupported || error instanceof TypeError) {
    return invalidProof('jwk', 'the DPoP proof\'s "jwk" is not a usable public key for its algorithm')
  }
  return invalidProof('malformed', 'the DPoP proof could not be read')
}
