import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { createRemoteJWKSet, jwtVerify } from 'jose'

export interface JwksApiOptions {
  /** The provider's issuer identifier and its `jwks_uri`, as its discovery document names them. */
  issuer: string
  jwksUri: string
  /** This API's resource indicator: the `aud` its access tokens must carry. */
  audience: string
  /** The SPA's origin, the only one allowed to call it from a browser. */
  allowedOrigin: string
}

/**
 * A resource server as an app's API would be written: `GET <path>/me` answers 200 with the
 * caller's `sub` when `Authorization: Bearer` holds an RFC 9068 access token (`typ: at+jwt`)
 * that the provider's published keys verify, from the provider, for this API; otherwise 401
 * `invalid_token` (RFC 6750 §3.1), which is what makes a client refresh. It knows the provider
 * only through its JWKS: no shared secret, no introspection.
 */
export function jwksApi({ issuer, jwksUri, audience, allowedOrigin }: JwksApiOptions): RequestListener {
  const keys = createRemoteJWKSet(new URL(jwksUri))
  const mePath = `${new URL(audience).pathname.replace(/\/$/, '')}/me`

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
      response.writeHead(204, origin === allowedOrigin ? { 'access-control-allow-headers': 'authorization', 'access-control-allow-methods': 'GET' } : {}).end()
      return
    }
    if (path !== mePath || request.method !== 'GET') return answer(response, 404, { error: 'not_found' })
    const token = /^Bearer ([\w.~+/-]+=*)$/.exec(request.headers.authorization ?? '')?.[1]
    try {
      if (!token) throw new Error('no bearer token')
      const { payload } = await jwtVerify(token, keys, { issuer, audience, typ: 'at+jwt', algorithms: ['ES256'] })
      answer(response, 200, { sub: payload.sub, scope: payload.scope })
    } catch (error) {
      answer(response, 401, { error: 'invalid_token', error_description: (error as Error).message }, { 'www-authenticate': 'Bearer error="invalid_token"' })
    }
  }
}
