import type { Bff } from '../domain/bff/bff.ts'
import type { BffSession } from '../domain/bff/sessions.ts'
import { returnPath } from '../domain/bff/targets.ts'
import { BackendError } from '../domain/errors.ts'
import { assertCsrf, ignoreRefusal, REALM } from './authenticate.ts'
import { assertRequestOrigin, bffLoginCookieAttributes, bffSessionCookieAttributes, cookieNames, type BackendParts, type RequestContext } from './context.ts'
import { readJsonObject, readText } from './http-kit.ts'
import type { Method, Route } from './route.ts'

export const BFF_PATHS = {
  login: '/bff/login',
  callback: '/bff/callback',
  session: '/bff/session',
  logout: '/bff/logout',
  /** `/bff/api/<path>` is forwarded to `<apiBase>/<path>`. */
  api: '/bff/api',
} as const

const SAFE_METHODS = new Set(['GET', 'HEAD'])

/**
 * The backend-for-frontend's routes: sign-in is two navigations (to the provider and back), the
 * rest are the page's own requests. Every answer is the BFF's: no token ever leaves (B1).
 */
export function bffRoutes(parts: BackendParts): Route[] {
  const proxy = async (ctx: RequestContext): Promise<Response> => {
    const bff = current(parts)
    const unsafe = !SAFE_METHODS.has(ctx.request.method)
    // B2: Fetch Metadata and Origin for every method; a cross-site request has no cookie anyway (Strict).
    counted(parts, () => assertRequestOrigin(parts, ctx, unsafe))
    const target = bff.upstreamUrl(ctx.url.pathname.slice(`${parts.options.basePath}${BFF_PATHS.api}/`.length), ctx.url.search)
    return clearedOnRefusal(parts, ctx, async () => {
      const session = await signedIn(parts, bff, ctx)
      if (unsafe) assertCsrf(parts, ctx, session.csrfToken, cookieNames(parts, ctx).bffCsrf)
      const body = unsafe ? await readText(ctx.request, parts.options.maxBodyBytes) : undefined
      // A refresh the provider refuses ends the session here too: the page is told as for an expired one.
      const answer = await bff.forward(session, target, { method: ctx.request.method, headers: ctx.request.headers, body })
      return ctx.response.relay(answer.status, answer.body, answer.headers)
    })
  }

  return [
    {
      method: 'GET',
      path: BFF_PATHS.login,
      async handle(ctx) {
        const { state, location } = await current(parts).startLogin(returnPath(ctx.url.searchParams.get('returnTo')), ctx.timings)
        ctx.response.setCookie(cookieNames(parts, ctx).bffLogin, state, bffLoginCookieAttributes(ctx))
        return ctx.response.redirect(302, location)
      },
    },
    {
      method: 'GET',
      path: BFF_PATHS.callback,
      async handle(ctx) {
        const names = cookieNames(parts, ctx)
        // One answer per sign-in, good or bad: the binding is spent either way.
        ctx.response.clearCookie(names.bffLogin, bffLoginCookieAttributes(ctx))
        const { session, returnTo } = await current(parts).completeLogin(ctx.url.searchParams, ctx.cookies[names.bffLogin], ctx.cookies[names.bffSession], ctx.timings)
        ctx.response.setCookie(names.bffSession, session.id, bffSessionCookieAttributes(ctx))
        ctx.response.setCookie(names.bffCsrf, session.csrfToken, bffSessionCookieAttributes(ctx, false))
        return ctx.response.redirect(302, returnTo)
      },
    },
    {
      method: 'GET',
      path: BFF_PATHS.session,
      async handle(ctx) {
        counted(parts, () => assertRequestOrigin(parts, ctx, false))
        const bff = current(parts)
        const session = await clearedOnRefusal(parts, ctx, () => signedIn(parts, bff, ctx))
        return ctx.response.json(200, {
          user: session.user,
          expiresAt: new Date(bff.idleExpiresAt(session)).toISOString(),
          absoluteExpiresAt: new Date(session.absoluteExpiresAt).toISOString(),
        })
      },
    },
    {
      method: 'POST',
      path: BFF_PATHS.logout,
      async handle(ctx) {
        const bff = current(parts)
        const names = cookieNames(parts, ctx)
        const id = ctx.cookies[names.bffSession]
        await readJsonObject(ctx.request, parts.options.maxBodyBytes, { allowEmpty: true })
        if (id !== undefined) {
          const session = await bff.touch(id, ctx.timings).catch(ignoreRefusal)
          // A dead session has nothing left to protect; a live one must pass the CSRF checks.
          if (session) assertCsrf(parts, ctx, session.csrfToken, names.bffCsrf)
        }
        const { signedOut, revoked } = await bff.signOut(id, ctx.timings)
        clearSessionCookies(parts, ctx)
        return ctx.response.json(200, { signedOut, revoked, endSessionUrl: bff.endSessionUrl() })
      },
    },
    ...(['GET', 'POST', 'DELETE'] as Method[]).map((method): Route => ({ method, path: `${BFF_PATHS.api}/*`, handle: proxy })),
  ]
}

/** Read per request: a reset replaces the BFF along with the rest of the state. */
function current(parts: BackendParts): Bff {
  if (!parts.bff) throw new BackendError('not_found', 'the backend-for-frontend is not turned on')
  return parts.bff
}

function signedIn(parts: BackendParts, bff: Bff, ctx: RequestContext): Promise<BffSession> {
  const id = ctx.cookies[cookieNames(parts, ctx).bffSession]
  if (id === undefined) throw new BackendError('missing_credentials', 'sign in first: no BFF session cookie')
  return bff.touch(id, ctx.timings)
}

/** A refused session is cleared from the browser; one the store could not be asked about (503) is not. */
async function clearedOnRefusal<T>(parts: BackendParts, ctx: RequestContext, action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    if (!(error instanceof BackendError) || error.status !== 401) throw error
    clearSessionCookies(parts, ctx)
    throw new BackendError(error.code, error.description, { headers: { 'WWW-Authenticate': REALM } })
  }
}

function clearSessionCookies(parts: BackendParts, ctx: RequestContext): void {
  const names = cookieNames(parts, ctx)
  ctx.response.clearCookie(names.bffSession, bffSessionCookieAttributes(ctx))
  ctx.response.clearCookie(names.bffCsrf, bffSessionCookieAttributes(ctx, false))
}

function counted(parts: BackendParts, check: () => void): void {
  try {
    check()
  } catch (error) {
    parts.stats.csrfRejections++
    throw error
  }
}
