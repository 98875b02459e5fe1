import { BackendError } from '../domain/errors.ts'
import type { RefreshTransport } from '../domain/refresh-families.ts'
import { assertCsrf, authenticate, ignoreRefusal } from './authenticate.ts'
import { cookieNames, csrfCookieAttributes, assertRequestOrigin, refreshCookieAttributes, type BackendParts, type RequestContext } from './context.ts'
import { tokenRequestProof } from './dpop.ts'
import { loginGrant, refreshGrant, revokeAccessToken, revokeUser, tokenType, type Grant } from './grants.ts'
import { optionalString, readJsonObject, requireString } from './http-kit.ts'
import type { Route } from './route.ts'

/**
 * JWT mode, JSON wire format (the SDK's default `jsonLogin()`). The refresh token travels in the
 * body, or, with `refreshTokenTransport: 'cookie'`, in an HttpOnly cookie scoped to `/api/auth`;
 * a cookie-borne refresh is an unsafe request riding on a cookie, so it needs the CSRF checks.
 * A login or refresh with a DPoP proof gets a DPoP-bound access token (`tokenType: 'DPoP'`).
 */
export function jwtRoutes(parts: BackendParts): Route[] {
  const { maxBodyBytes } = parts.options

  return [
    {
      method: 'POST',
      path: '/api/auth/login',
      async handle(ctx) {
        assertRequestOrigin(parts, ctx, false)
        const body = await readJsonObject(ctx.request, maxBodyBytes)
        const username = requireString(body, 'username', 256)
        const password = requireString(body, 'password', 1024)
        const transport = readTransport(body)
        // Before the password check: a client told to fetch a nonce does not pay for it twice.
        const proof = await tokenRequestProof(parts, ctx)
        const grant = await loginGrant(parts, username, password, transport, ctx.timings, proof?.jkt)
        return tokenResponse(parts, ctx, grant, 200)
      },
    },
    {
      method: 'POST',
      path: '/api/auth/refresh',
      async handle(ctx) {
        const body = await readJsonObject(ctx.request, maxBodyBytes, { allowEmpty: true })
        const refreshToken = await readRefreshToken(parts, ctx, body)
        const proof = await tokenRequestProof(parts, ctx)
        try {
          return tokenResponse(parts, ctx, await refreshGrant(parts, refreshToken, ctx.timings, proof?.jkt, true), 200)
        } catch (error) {
          if (error instanceof BackendError && (error.code === 'refresh_token_reused' || error.code === 'invalid_grant')) {
            clearRefreshCookies(parts, ctx)
          }
          throw error
        }
      },
    },
    {
      method: 'POST',
      path: '/api/auth/logout',
      async handle(ctx) {
        const body = await readJsonObject(ctx.request, maxBodyBytes, { allowEmpty: true })
        const userIds = new Set<string>()
        if (ctx.request.headers.has('authorization')) {
          // An expired access token must not stop a logout; the refresh token still identifies the user.
          const principal = await authenticate(parts, ctx).catch(ignoreRefusal)
          if (principal?.kind === 'bearer') {
            userIds.add(principal.user.id)
            if (parts.options.revokeAccessTokenOnLogout) await revokeAccessToken(parts, principal.claims)
          }
        }
        const refreshToken = optionalString(body, 'refreshToken', 512) ?? ctx.cookies[cookieNames(parts, ctx).refresh]
        if (refreshToken !== undefined) {
          const family = await parts.families.find(refreshToken)
          if (family) {
            if (family.transport === 'cookie') assertCsrf(parts, ctx, family.csrfToken)
            userIds.add(family.userId)
          }
        }
        const revoked = { families: 0, sessions: 0 }
        for (const userId of userIds) {
          const count = await revokeUser(parts, userId)
          revoked.families += count.families
          revoked.sessions += count.sessions
        }
        clearRefreshCookies(parts, ctx)
        return ctx.response.json(200, { signedOut: userIds.size > 0, revoked })
      },
    },
  ]
}

function clearRefreshCookies(parts: BackendParts, ctx: RequestContext): void {
  ctx.response.clearCookie(cookieNames(parts, ctx).refresh, refreshCookieAttributes(parts, ctx))
  ctx.response.clearCookie(cookieNames(parts, ctx).csrf, csrfCookieAttributes(ctx))
}

function readTransport(body: Record<string, unknown>): RefreshTransport {
  const value = body.refreshTokenTransport ?? 'body'
  if (value !== 'body' && value !== 'cookie') {
    throw new BackendError('invalid_request', '"refreshTokenTransport" must be "body" or "cookie"')
  }
  return value
}

async function readRefreshToken(parts: BackendParts, ctx: RequestContext, body: Record<string, unknown>): Promise<string> {
  const fromBody = optionalString(body, 'refreshToken', 512)
  if (fromBody !== undefined) return fromBody
  const fromCookie = ctx.cookies[cookieNames(parts, ctx).refresh]
  if (fromCookie === undefined) throw new BackendError('invalid_request', 'no refresh token in the body or the refresh cookie')
  const family = await parts.families.find(fromCookie)
  if (family) assertCsrf(parts, ctx, family.csrfToken)
  return fromCookie
}

function tokenResponse(parts: BackendParts, ctx: RequestContext, grant: Grant, status: number): Response {
  const { access, refreshToken, family } = grant
  const body: Record<string, unknown> = {
    accessToken: access.token,
    tokenType: tokenType(access),
    expiresIn: access.claims.exp - access.claims.iat,
    refreshExpiresAt: new Date(family.absoluteExpiresAt).toISOString(),
  }
  if (family.transport === 'cookie') {
    const maxAge = Math.max(0, Math.floor((family.absoluteExpiresAt - parts.clock.now()) / 1000))
    ctx.response.setCookie(cookieNames(parts, ctx).refresh, refreshToken, refreshCookieAttributes(parts, ctx, maxAge))
    // As long-lived as the refresh cookie: a client sees from it that there is a sign-in to restore.
    ctx.response.setCookie(cookieNames(parts, ctx).csrf, family.csrfToken, { ...csrfCookieAttributes(ctx), maxAge })
    body.csrfToken = family.csrfToken
  } else {
    body.refreshToken = refreshToken
  }
  return ctx.response.json(status, body)
}
