import { inspectToken, isJsonObject, type JsonObject } from './decode.ts'
import { readAuthorization, type AuthorizationCredential } from './detect.ts'
import { headerValues, type ExchangeObservation } from './observations.ts'
import { pageText, redactUrl } from './redact.ts'
import { jwkThumbprint } from './thumbprint.ts'

/**
 * Reads DPoP (RFC 9449) from one exchange by the standard headers only, so it works on any site:
 * the `DPoP` request header (a proof: a JWT typed `dpop+jwt` carrying the client's public key in
 * its `jwk` header) and the `Authorization: DPoP` or `Bearer` credential beside it. A proof is not
 * a credential by itself, but it is never kept whole: only its decoded, capped header and claims
 * and the key's thumbprint, never the signature.
 */

/** What is wrong with a proof by RFC 9449 §4.3's checks that need no server state. */
export type DpopProofProblem = 'not-a-jws' | 'several-proofs' | 'typ' | 'alg' | 'no-jwk' | 'private-key'

export interface DpopProof {
  /** `typ`, `alg` and the public members of `jwk`. */
  header: JsonObject
  /** `htm`, `htu` (query masked), `jti`, `iat`, `ath`; `nonce` only as present. */
  claims: JsonObject
  /** Names of the other header parameters and claims, not kept. */
  otherMembers: string[]
  alg: string | null
  /** RFC 7638 thumbprint of `jwk`: what a bound token's `cnf.jkt` names. */
  jkt: string | null
  /** "EC P-256", "RSA", "OKP Ed25519". */
  keyType: string | null
  htm: string | null
  htu: string | null
  jti: string | null
  iat: number | null
  ath: string | null
  nonce: boolean
  problems: DpopProofProblem[]
}

export interface DpopRequest {
  method: string
  url: string
  status: number
  /** Null when the request carried no `DPoP` header. */
  proof: DpopProof | null
  /** The proof as sent, to tell one request seen twice from a proof sent twice; never kept. */
  rawProof: string | null
  credential: AuthorizationCredential | null
}

const PROOF_HEADER = new Set(['typ', 'alg', 'jwk'])
const PROOF_CLAIMS = new Set(['htm', 'htu', 'jti', 'iat', 'ath', 'nonce'])
const PUBLIC_KEY_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const
/** RFC 7517 §9.3 (and `k` for symmetric keys): a proof's `jwk` MUST NOT hold these (RFC 9449 §4.3). */
const PRIVATE_KEY_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const MAX_OTHER_MEMBERS = 10
const MAX_MEMBER_CHARS = 2048

export function readDpopRequest({ request, response }: ExchangeObservation): DpopRequest {
  const proofs = headerValues(request.headers, 'dpop')
  const authorization = headerValues(request.headers, 'authorization')[0]
  const rawProof = proofs[0]?.trim() ?? null
  return {
    // As sent: fetch upper-cases only the standard methods, and htm must match exactly.
    method: request.method,
    url: request.url,
    status: response.status,
    proof: rawProof === null ? null : readProof(rawProof, proofs.length),
    rawProof,
    credential: authorization === undefined ? null : readAuthorization(authorization),
  }
}

export function readProof(value: string, headerCount = 1): DpopProof {
  const inspection = inspectToken(value)
  const problems: DpopProofProblem[] = headerCount > 1 ? ['several-proofs'] : []
  if (inspection.kind !== 'jws') {
    return { header: {}, claims: {}, otherMembers: [], alg: null, jkt: null, keyType: null, htm: null, htu: null, jti: null, iat: null, ath: null, nonce: false, problems: [...problems, 'not-a-jws'] }
  }
  const { header, claims } = inspection
  const string = (object: JsonObject, name: string) => (typeof object[name] === 'string' ? pageText(object[name] as string) : null)
  const typ = string(header, 'typ')
  const alg = string(header, 'alg')
  const jwk = isJsonObject(header['jwk']) ? header['jwk'] : null
  const jkt = jwk ? jwkThumbprint(jwk) : null
  if (typ?.toLowerCase() !== 'dpop+jwt') problems.push('typ')
  // RFC 9449 §4.3 check 5: an asymmetric algorithm; never none, never a MAC.
  if (alg === null || alg.toLowerCase() === 'none' || /^HS\d+$/i.test(alg)) problems.push('alg')
  if (jkt === null) problems.push('no-jwk')
  if (jwk && PRIVATE_KEY_MEMBERS.some((name) => name in jwk)) problems.push('private-key')

  const htu = typeof claims['htu'] === 'string' ? pageText(redactUrl(claims['htu']), MAX_MEMBER_CHARS) : null
  const iat = typeof claims['iat'] === 'number' && Number.isFinite(claims['iat']) ? claims['iat'] : null
  const proof = { alg, jkt, htm: string(claims, 'htm'), htu, jti: string(claims, 'jti'), iat, ath: string(claims, 'ath'), nonce: claims['nonce'] !== undefined }
  return {
    header: { ...(typ === null ? {} : { typ }), ...(alg === null ? {} : { alg }), ...(jwk ? { jwk: publicMembers(jwk) } : {}) },
    claims: {
      ...(proof.htm === null ? {} : { htm: proof.htm }),
      ...(htu === null ? {} : { htu }),
      ...(proof.jti === null ? {} : { jti: proof.jti }),
      ...(iat === null ? {} : { iat }),
      ...(proof.ath === null ? {} : { ath: proof.ath }),
      ...(proof.nonce ? { nonce: '(present)' } : {}),
    },
    otherMembers: [...Object.keys(header).filter((name) => !PROOF_HEADER.has(name)), ...Object.keys(claims).filter((name) => !PROOF_CLAIMS.has(name))].slice(0, MAX_OTHER_MEMBERS).map((name) => pageText(name, 40)),
    keyType: jwk && typeof jwk['kty'] === 'string' ? pageText([jwk['kty'], typeof jwk['crv'] === 'string' ? jwk['crv'] : ''].join(' ').trim(), 40) : null,
    ...proof,
    problems,
  }
}

function publicMembers(jwk: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const name of PUBLIC_KEY_MEMBERS) {
    const value = jwk[name]
    if (typeof value === 'string') out[name] = pageText(value, MAX_MEMBER_CHARS)
  }
  return out
}
