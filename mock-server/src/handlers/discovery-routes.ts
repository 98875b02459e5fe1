import type { BackendParts } from './context.ts'
import type { Route } from './route.ts'

/** JWKS and RFC 8414 metadata: how a standard client finds keys and endpoints. */
export function discoveryRoutes(parts: BackendParts): Route[] {
  const { basePath, issuer } = parts.options
  return [
    {
      method: 'GET',
      path: '/.well-known/jwks.json',
      async handle(ctx) {
        const key = await parts.signingKey()
        // An HMAC secret is never published: HS256 tokens can only be checked by this server.
        ctx.response.headers.set('Cache-Control', 'public, max-age=300')
        ctx.response.headers.delete('Pragma')
        return ctx.response.json(200, { keys: key.publicJwk ? [key.publicJwk] : [] })
      },
    },
    {
      method: 'GET',
      path: '/.well-known/oauth-authorization-server',
      async handle(ctx) {
        const base = `${ctx.url.origin}${basePath}`
        return ctx.response.json(200, {
          issuer,
          token_endpoint: `${base}/oauth/token`,
          revocation_endpoint: `${base}/oauth/revoke`,
          jwks_uri: `${base}/.well-known/jwks.json`,
          grant_types_supported: ['password', 'refresh_token'],
          response_types_supported: [],
          token_endpoint_auth_methods_supported: ['none'],
          revocation_endpoint_auth_methods_supported: ['none'],
        })
      },
    },
  ]
}
