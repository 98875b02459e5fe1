import { BackendError } from '../domain/errors.ts'
import type { Session } from '../domain/sessions.ts'
import type { User } from '../domain/users.ts'
import { authenticate, ignoreRefusal, REALM } from './authenticate.ts'
import { cookieNames, csrfCookieAttributes, assertRequestOrigin, sessionCookieAttributes, type BackendParts, type RequestContext } from './context.ts'
import { revokeUser, signIn } from './grants.ts'
import { readJsonObject, requireString } from './http-kit.ts'
import type { Route } from './route.ts'

/** Session mode: the browser holds an opaque HttpOnly id; the server holds everything else. */
export function sessionRoutes(parts: BackendParts): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/session/login',
      async handle(ctx) {
        // Login CSRF (M36): a foreign page must not sign the victim into the attacker's account.
        assertRequestOrigin(parts, ctx, false)
        const body = await readJsonObject(ctx.request, parts.options.maxBodyBytes)
        const username = requireString(body, 'username', 256)
        const password = requireString(body, 'password', 1024)
        const user = await signIn(parts, username, password, ctx.timings)
        const session = await parts.sessions.create(user.id, ctx.cookies[cookieNames(parts, ctx).session], ctx.timings)
        setSessionCookies(parts, ctx, session)
        return ctx.response.json(200, describe(parts, user, session))
      },
    },
    {
      method: 'GET',
      path: '/api/session',
      async handle(ctx) {
        try {
          const principal = await authenticate(parts, ctx)
          if (principal.kind !== 'session') {
            throw new BackendError('invalid_session', 'this endpoint reads the session cookie, not a bearer token', {
              headers: { 'WWW-Authenticate': REALM },
            })
          }
          return ctx.response.json(200, describe(parts, principal.user, principal.session))
        } catch (error) {
          // A refused session is gone for good; one the store could not be asked about (503) is not.
          if (error instanceof BackendError && error.status === 401) clearSessionCookies(parts, ctx)
          throw error
        }
      },
    },
    {
      method: 'POST',
      path: '/api/session/logout',
      async handle(ctx) {
        const sessionId = ctx.cookies[cookieNames(parts, ctx).session]
        let revoked = { families: 0, sessions: 0 }
        if (sessionId !== undefined) {
          const principal = await authenticate(parts, ctx).catch((error: unknown) => {
            // A dead session has nothing left to protect; a live one must pass the CSRF checks.
            if (error instanceof BackendError && error.code === 'csrf_failed') throw error
            return ignoreRefusal(error)
          })
          if (principal) revoked = await revokeUser(parts, principal.user.id)
        }
        clearSessionCookies(parts, ctx)
        return ctx.response.json(200, { signedOut: revoked.sessions > 0, revoked })
      },
    },
  ]
}

function setSessionCookies(parts: BackendParts, ctx: RequestContext, session: Session): void {
  const names = cookieNames(parts, ctx)
  ctx.response.setCookie(names.session, session.id, sessionCookieAttributes(parts, ctx))
  ctx.response.setCookie(names.csrf, session.csrfToken, csrfCookieAttributes(ctx))
}

function clearSessionCookies(parts: BackendParts, ctx: RequestContext): void {
  const names = cookieNames(parts, ctx)
  ctx.response.clearCookie(names.session, sessionCookieAttributes(parts, ctx))
  ctx.response.clearCookie(names.csrf, csrfCookieAttributes(ctx))
}

function describe(parts: BackendParts, user: User, session: Session) {
  return {
    user,
    expiresAt: new Date(parts.sessions.idleExpiresAt(session)).toISOString(),
    absoluteExpiresAt: new Date(session.absoluteExpiresAt).toISOString(),
    csrfToken: session.csrfToken,
  }
}
