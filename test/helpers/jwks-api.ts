import { createHash } from 'node:crypto'
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { calculateJwkThumbprint, createRemoteJWKSet, EmbeddedJWK, jwtVerify, type JWK, type JWTPayload } from 'jose'

export interface JwksApiOptions {
  /** The provider's issuer identifier and its `jwks_uri`, as its discovery document names them. */
  issuer: string
  jwksUri: string
  /** This API's resource indicator: the `aud` its access tokens must carry. */
  audience: string
  /** The SPA's origin, the only one allowed to call it from a browser. */
  allowedOrigin: string
  /**
   * DPoP required (RFC 9449 §7): only `Authorization: DPoP` with a proof from the key the token
   * is bound to (`cnf.jkt`); a Bearer token, bound or not, is refused. Each accepted proof is
   * reported.
   */
  dpop?: { onProof: (proof: AcceptedProof) => void }
}

/** A proof the API accepted: its claims and the RFC 7638 thumbprint of its key. */
export interface AcceptedProof {
  claims: JWTPayload
  jkt: string
}

class Refusal extends Error {
  constructor(readonly code: 'invalid_token' | 'invalid_dpop_proof', message: string) {
    super(message)
  }
}

/**
 * A resource server as an app's API would be written: `GET <path>/me` answers 200 with the
 * caller's `sub` when `Authorization: Bearer` (with `dpop`: `DPoP`, and its proof) holds an
 * RFC 9068 access token (`typ: at+jwt`) that the provider's published keys verify, from the
 * provider, for this API; otherwise 401 `invalid_token` (RFC 6750 §3.1), which is what makes a
 * client refresh (a refused proof: `invalid_dpop_proof`). It knows the provider
 * only through its JWKS: no shared secret, no introspection.
 */
export function jwksApi({ issuer, jwksUri, audience, allowedOrigin, dpop }: JwksApiOptions): RequestListener {
  const keys = createRemoteJWKSet(new URL(jwksUri))
  const mePath = `${new URL(audience).pathname.replace(/\/$/, '')}/me`
  const scheme = dpop ? 'DPoP' : 'Bearer'
  const seenJtis = new Set<string>()

  /**
   * RFC 9449 §4.3 and §7.1 with jose: the proof's signature with the key it embeds, `typ`, `htm`,
   * `htu` (this request's URL without query), `iat` within a minute, a `jti` not seen before,
   * `ath` the hash of this token, and that key's thumbprint the token's `cnf.jkt`.
   */
  async function checkProof(request: IncomingMessage, path: string, token: string, bound: unknown): Promise<AcceptedProof> {
    const proof = request.headers.dpop
    if (typeof proof !== 'string') throw new Refusal('invalid_dpop_proof', 'no DPoP proof')
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256', 'Ed25519', 'EdDSA'], maxTokenAge: 60 }).catch((error: Error) => {
      throw new Refusal('invalid_dpop_proof', error.message)
    })
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK)
    const checks: [boolean, string][] = [
      [payload.htm === request.method, 'htm'],
      [payload.htu === `http://${request.headers.host}${path}`, 'htu'],
      [typeof payload.jti === 'string' && !seenJtis.has(payload.jti), 'jti'],
      [payload.ath === createHash('sha256').update(token).digest('base64url'), 'ath'],
      [jkt === (bound as { jkt?: unknown } | undefined)?.jkt, 'cnf.jkt'],
    ]
    const failed = checks.find(([ok]) => !ok)
    if (failed) throw new Refusal('invalid_dpop_proof', `the proof's ${failed[1]} does not match`)
    seenJtis.add(payload.jti!)
    return { claims: payload, jkt }
  }

  const answer = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    void response
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
      .end(JSON.stringify(body))

  return async (request: IncomingMessage, response: ServerResponse) => {
    const origin = request.headers.origin
    if (origin === allowedOrigin) {
      response.setHeader('access-control-allow-origin', origin)
      response.setHeader('vary', 'Origin')
      // Cross-origin, a page reads only safelisted headers: the SDK must see why a 401 came.
      response.setHeader('access-control-expose-headers', 'WWW-Authenticate')
    }
    const path = new URL(request.url ?? '/', 'http://api').pathname
    if (request.method === 'OPTIONS') {
      response.writeHead(204, origin === allowedOrigin ? { 'access-control-allow-headers': dpop ? 'authorization, dpop' : 'authorization', 'access-control-allow-methods': 'GET' } : {}).end()
      return
    }
    if (path !== mePath || request.method !== 'GET') return answer(response, 404, { error: 'not_found' })
    const token = new RegExp(`^${scheme} ([\\w.~+/-]+=*)$`).exec(request.headers.authorization ?? '')?.[1]
    try {
      if (!token) throw new Refusal('invalid_token', `no ${scheme} token`)
      const { payload } = await jwtVerify(token, keys, { issuer, audience, typ: 'at+jwt', algorithms: ['ES256'] }).catch((error: Error) => {
        throw new Refusal('invalid_token', error.message)
      })
      if (dpop) dpop.onProof(await checkProof(request, path, token, payload.cnf))
      answer(response, 200, { sub: payload.sub, scope: payload.scope })
    } catch (error) {
      const code = error instanceof Refusal ? error.code : 'invalid_token'
      const challenge = dpop ? `DPoP algs="ES256", error="${code}"` : `Bearer error="${code}"`
      answer(response, 401, { error: code, error_description: (error as Error).message }, { 'www-authenticate': challenge })
    }
  }
}
