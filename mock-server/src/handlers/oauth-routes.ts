import { BackendError } from '../domain/errors.ts'
import type { Timings } from '../domain/timings.ts'
import { ignoreRefusal } from './authenticate.ts'
import { authenticateClient } from './client-auth.ts'
import { OIDC_PATHS } from './discovery-routes.ts'
import { assertRequestOrigin, type BackendParts, type RequestContext } from './context.ts'
import { tokenRequestProof } from './dpop.ts'
import { authorizationCodeGrant, refreshGrant, revokeAccessToken, tokenType, type CodeGrantResult, type Grant } from './grants.ts'
import { readForm, requireString } from './http-kit.ts'
import type { Route } from './route.ts'

/**
 * RFC 6749 token endpoint (authorization_code with PKCE, and refresh_token; form-encoded in,
 * snake_case out, §5.2 errors) and RFC 7009 revocation. There is no password grant: RFC 9700
 * §2.4 forbids it. A refresh token from the JSON login names no client; one an OpenID client got
 * may be refreshed by that client only. Registered clients' pages may call both cross-origin.
 * A grant with a DPoP proof answers `token_type: DPoP` (RFC 9449 §5).
 */
export function oauthRoutes(parts: BackendParts): Route[] {
  const { maxBodyBytes, oidcClients } = parts.options
  return [
    {
      method: 'POST',
      path: OIDC_PATHS.token,
      cors: 'clients',
      async handle(ctx) {
        assertRequestOrigin(parts, ctx, false, oidcClients.origins)
        const form = await readForm(ctx.request, maxBodyBytes)
        try {
          const grantType = requireString(form, 'grant_type', 64)
          if (grantType === 'authorization_code' && oidcClients.size > 0) {
            const client = authenticateClient(parts, ctx, form)
            const proof = await tokenRequestProof(parts, ctx)
            return codeResponse(ctx, await authorizationCodeGrant(parts, client, form, ctx.timings, proof?.jkt))
          }
          if (grantType === 'refresh_token') {
            const refreshToken = requireString(form, 'refresh_token', 512)
            const family = await parts.families.find(refreshToken)
            if (family?.client && authenticateClient(parts, ctx, form).clientId !== family.client.clientId) {
              throw new BackendError('invalid_grant', 'refresh token was issued to another client')
            }
            const proof = await tokenRequestProof(parts, ctx)
            return tokenResponse(ctx, await refreshGrant(parts, refreshToken, ctx.timings, proof?.jkt))
          }
          throw new BackendError('unsupported_grant_type', `grant_type "${grantType.slice(0, 40)}" is not supported`)
        } catch (error) {
          throw toOAuthError(error)
        }
      },
    },
    {
      method: 'POST',
      path: OIDC_PATHS.revoke,
      cors: 'clients',
      async handle(ctx) {
        assertRequestOrigin(parts, ctx, false, oidcClients.origins)
        const form = await readForm(ctx.request, maxBodyBytes)
        const token = requireString(form, 'token', 8192)
        const family = await parts.families.find(token)
        if (family) await parts.families.revoke(family.id)
        else await revokeIfOwnAccessToken(parts, token, ctx.timings)
        // RFC 7009 §2.2: an unknown or already invalid token is not an error.
        return ctx.response.empty(200)
      },
    },
  ]
}

/** Expired or foreign tokens need no revocation: they are already refused. */
async function revokeIfOwnAccessToken(parts: BackendParts, token: string, timings: Timings): Promise<void> {
  const claims = await parts.tokens.verify(token, timings).catch(ignoreRefusal)
  if (claims) await revokeAccessToken(parts, claims)
}

function tokenResponse(ctx: RequestContext, { access, refreshToken, family }: Grant): Response {
  return ctx.response.json(200, {
    access_token: access.token,
    token_type: tokenType(access),
    expires_in: access.claims.exp - access.claims.iat,
    refresh_token: refreshToken,
    ...(family.client ? { scope: family.client.scope } : {}),
  })
}

/** A refresh token only with `offline_access` (OIDC Core §11): without it, the sign-in ends with the access token. */
function codeResponse(ctx: RequestContext, grant: CodeGrantResult): Response {
  const { access, refreshToken, idToken, scope } = grant
  return ctx.response.json(200, {
    access_token: access.token,
    token_type: tokenType(access),
    expires_in: access.claims.exp - access.claims.iat,
    ...(scope.split(' ').includes('offline_access') ? { refresh_token: refreshToken } : {}),
    id_token: idToken,
    scope,
  })
}

/** RFC 6749 §5.2: grant failures are 400 `invalid_grant`, whatever our JSON API calls them. */
function toOAuthError(error: unknown): unknown {
  if (!(error instanceof BackendError)) return error
  if (error.code === 'invalid_grant' || error.code === 'refresh_token_reused') {
    return new BackendError('invalid_grant', error.description, { status: 400, reason: error.reason ?? error.code })
  }
  return error
}
