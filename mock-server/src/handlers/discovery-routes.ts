import { DPOP_ALGORITHMS } from '../domain/dpop.ts'
import { SUPPORTED_SCOPES } from '../domain/oidc/authorization-request.ts'
import type { BackendParts } from './context.ts'
import type { Route } from './route.ts'

export const OIDC_PATHS = {
  authorize: '/oauth/authorize',
  login: '/oauth/login',
  token: '/oauth/token',
  userinfo: '/oauth/userinfo',
  revoke: '/oauth/revoke',
  endSession: '/oauth/end-session',
  jwks: '/.well-known/jwks.json',
} as const

/**
 * JWKS and metadata: how a standard client finds keys and endpoints. With registered clients the
 * backend is an OpenID Provider, and both documents name the same endpoints under the issuer
 * (OpenID Discovery 1.0, RFC 8414). Without, the RFC 8414 document describes the token endpoint
 * where it was asked, as the issuer is then only a name in the tokens.
 */
export function discoveryRoutes(parts: BackendParts): Route[] {
  const provider = parts.options.oidcClients.size > 0
  const routes: Route[] = [
    {
      method: 'GET',
      path: OIDC_PATHS.jwks,
      cors: 'clients',
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
      cors: 'clients',
      async handle(ctx) {
        if (provider) return ctx.response.json(200, providerMetadata(parts))
        const base = `${ctx.url.origin}${parts.options.basePath}`
        return ctx.response.json(200, {
          issuer: parts.options.issuer,
          token_endpoint: `${base}${OIDC_PATHS.token}`,
          revocation_endpoint: `${base}${OIDC_PATHS.revoke}`,
          jwks_uri: `${base}${OIDC_PATHS.jwks}`,
          grant_types_supported: ['refresh_token'],
          response_types_supported: [],
          token_endpoint_auth_methods_supported: ['none'],
          revocation_endpoint_auth_methods_supported: ['none'],
          dpop_signing_alg_values_supported: DPOP_ALGORITHMS,
        })
      },
    },
  ]
  if (provider) {
    routes.push({
      method: 'GET',
      path: '/.well-known/openid-configuration',
      cors: 'clients',
      async handle(ctx) {
        return ctx.response.json(200, providerMetadata(parts))
      },
    })
  }
  return routes
}

/** Read per request: the issuer may be set once the server knows its port. */
function providerMetadata(parts: BackendParts) {
  const { issuer, algorithm } = parts.options
  return {
    issuer,
    authorization_endpoint: `${issuer}${OIDC_PATHS.authorize}`,
    token_endpoint: `${issuer}${OIDC_PATHS.token}`,
    userinfo_endpoint: `${issuer}${OIDC_PATHS.userinfo}`,
    jwks_uri: `${issuer}${OIDC_PATHS.jwks}`,
    revocation_endpoint: `${issuer}${OIDC_PATHS.revoke}`,
    end_session_endpoint: `${issuer}${OIDC_PATHS.endSession}`,
    scopes_supported: SUPPORTED_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [algorithm],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    // Revocation asks for no client authentication: holding the token is what it takes (RFC 7009 §5).
    revocation_endpoint_auth_methods_supported: ['none'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'azp', 'sid', 'name', 'preferred_username', 'email', 'email_verified'],
    prompt_values_supported: ['none', 'login'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // RFC 9207: every authorization response names its issuer, so a client can detect mix-up.
    authorization_response_iss_parameter_supported: true,
    // RFC 9449 §5.1: the token endpoint binds tokens to a key when a request comes with a proof.
    dpop_signing_alg_values_supported: DPOP_ALGORITHMS,
  }
}
