import { BackendError } from '../domain/errors.ts'
import type { Timings } from '../domain/timings.ts'
import { ignoreRefusal } from './authenticate.ts'
import { assertRequestOrigin, type BackendParts, type RequestContext } from './context.ts'
import { passwordGrant, refreshGrant, revokeAccessToken, type Grant } from './grants.ts'
import { readForm, requireString } from './http-kit.ts'
import type { Route } from './route.ts'

/**
 * RFC 6749 token endpoint (password and refresh_token grants, form-encoded in, snake_case out,
 * §5.2 errors), RFC 7009 revocation and RFC 8414 metadata, so standard OAuth 2 clients work.
 * Public clients only: `client_id` and other unknown parameters are ignored (§3.2).
 */
export function oauthRoutes(parts: BackendParts): Route[] {
  const { maxBodyBytes } = parts.options
  return [
    {
      method: 'POST',
      path: '/oauth/token',
      async handle(ctx) {
        assertRequestOrigin(parts, ctx, false)
        const form = await readForm(ctx.request, maxBodyBytes)
        try {
          const grantType = requireString(form, 'grant_type', 64)
          if (grantType === 'password') {
            const grant = await passwordGrant(parts, requireString(form, 'username', 256), requireString(form, 'password', 1024), 'body', ctx.timings)
            return tokenResponse(ctx, grant)
          }
          if (grantType === 'refresh_token') {
            return tokenResponse(ctx, await refreshGrant(parts, requireString(form, 'refresh_token', 512), ctx.timings))
          }
          throw new BackendError('unsupported_grant_type', `grant_type "${grantType.slice(0, 40)}" is not supported`)
        } catch (error) {
          throw toOAuthError(error)
        }
      },
    },
    {
      method: 'POST',
      path: '/oauth/revoke',
      async handle(ctx) {
        assertRequestOrigin(parts, ctx, false)
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

function tokenResponse(ctx: RequestContext, { access, refreshToken }: Grant): Response {
  return ctx.response.json(200, {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.claims.exp - access.claims.iat,
    refresh_token: refreshToken,
  })
}

/** RFC 6749 §5.2: grant failures are 400 `invalid_grant`, whatever our JSON API calls them. */
function toOAuthError(error: unknown): unknown {
  if (!(error instanceof BackendError)) return error
  if (error.code === 'invalid_credentials' || error.code === 'invalid_grant' || error.code === 'refresh_token_reused') {
    return new BackendError('invalid_grant', error.description, { status: 400, reason: error.reason ?? error.code })
  }
  return error
}
