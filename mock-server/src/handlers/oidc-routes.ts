import { BackendError } from '../domain/errors.ts'
import {
  authorizationResponse,
  parseAuthorizationRequest,
  withinMaxAge,
  type AuthorizationErrorCode,
  type AuthorizationRequest,
  type ParsedAuthorization,
} from '../domain/oidc/authorization-request.ts'
import { readIdTokenHint, scopedClaims } from '../domain/oidc/id-tokens.ts'
import type { ProviderSession } from '../domain/oidc/provider-sessions.ts'
import { randomToken, safeEqual } from '../domain/random.ts'
import { authenticate, REALM } from './authenticate.ts'
import { assertRequestOrigin, cookieNames, loginCsrfCookieAttributes, providerCookieAttributes, type BackendParts, type RequestContext } from './context.ts'
import { OIDC_PATHS } from './discovery-routes.ts'
import { signIn } from './grants.ts'
import { readForm } from './http-kit.ts'
import { loginPage, messagePage, type RenderedPage } from './login-page.ts'
import type { Route } from './route.ts'

/**
 * The OpenID Provider's browser-facing side: /authorize with its login page and provider session
 * (SSO), the userinfo endpoint and RP-initiated logout. Pages, not JSON: a person reads them.
 */
export function oidcRoutes(parts: BackendParts): Route[] {
  const userinfo = async (ctx: RequestContext) => {
    if (!ctx.request.headers.has('authorization')) {
      throw new BackendError('missing_credentials', 'send the access token as a bearer token', { headers: { 'WWW-Authenticate': REALM } })
    }
    const principal = await authenticate(parts, ctx)
    if (principal.kind !== 'bearer' || !principal.claims.scope?.split(' ').includes('openid')) {
      throw new BackendError('insufficient_scope', 'this access token was not granted the openid scope', {
        headers: { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="openid"` },
      })
    }
    const { user, claims } = principal
    return ctx.response.json(200, { sub: user.id, ...scopedClaims({ user, email: parts.users.emailOf(user.id) }, claims.scope ?? '') })
  }
  const endSession = async (ctx: RequestContext) => {
    const params = ctx.request.method === 'POST' ? await readForm(ctx.request, parts.options.maxBodyBytes) : ctx.url.searchParams
    return signOut(parts, ctx, params)
  }

  return [
    {
      method: 'GET',
      path: OIDC_PATHS.authorize,
      async handle(ctx) {
        const parsed = parseAuthorizationRequest(ctx.url.searchParams, parts.options.oidcClients)
        if (parsed.kind !== 'valid') return answerInvalid(parts, ctx, parsed)
        const session = await parts.providerSessions.find(ctx.cookies[cookieNames(parts, ctx).providerSession], ctx.timings)
        const { request } = parsed
        if (session && request.prompt !== 'login' && withinMaxAge(request, session.authTime, parts.clock.nowSeconds())) {
          return redirectWithCode(parts, ctx, request, session, 302)
        }
        // OIDC Core §3.1.2.6: with prompt=none the provider must not show anything.
        if (request.prompt === 'none') return redirectWithError(parts, ctx, request, 'login_required', 'the user is not signed in at the provider')
        return showLogin(parts, ctx, request, ctx.url.searchParams.toString())
      },
    },
    {
      method: 'POST',
      path: OIDC_PATHS.login,
      async handle(ctx) {
        try {
          // Login CSRF (O8): only the provider's own page may post here.
          assertRequestOrigin(parts, ctx, true)
        } catch {
          parts.stats.csrfRejections++
          return pageFor(ctx, 403, messagePage('Request refused', 'This sign-in did not come from the sign-in page. Start again from the application.'))
        }
        const form = await readForm(ctx.request, parts.options.maxBodyBytes)
        const names = cookieNames(parts, ctx)
        const csrfCookie = ctx.cookies[names.loginCsrf]
        const csrfField = form.get('csrf')
        if (!csrfCookie || !csrfField || !safeEqual(csrfField, csrfCookie)) {
          parts.stats.csrfRejections++
          return pageFor(ctx, 403, messagePage('Request refused', 'This sign-in form has expired. Start again from the application.'))
        }
        const requestText = form.get('request') ?? ''
        const parsed = parseAuthorizationRequest(new URLSearchParams(requestText), parts.options.oidcClients)
        if (parsed.kind !== 'valid') return answerInvalid(parts, ctx, parsed)
        const username = form.get('username') ?? ''
        const password = form.get('password') ?? ''
        try {
          if (username === '' || password === '' || username.length > 256 || password.length > 1024) {
            throw new BackendError('invalid_credentials', 'invalid username or password')
          }
          const user = await signIn(parts, username, password, ctx.timings)
          const session = await parts.providerSessions.create(user.id, ctx.cookies[names.providerSession], ctx.timings)
          ctx.response.setCookie(names.providerSession, session.id, providerCookieAttributes(ctx))
          ctx.response.clearCookie(names.loginCsrf, loginCsrfCookieAttributes(ctx))
          return redirectWithCode(parts, ctx, parsed.request, session, 303)
        } catch (error) {
          if (!(error instanceof BackendError) || (error.code !== 'invalid_credentials' && error.code !== 'too_many_attempts')) throw error
          const message = error.code === 'too_many_attempts' ? 'Too many failed sign-in attempts. Try again later.' : 'Invalid username or password.'
          for (const [name, value] of Object.entries(error.headers)) ctx.response.headers.set(name, value)
          return showLogin(parts, ctx, parsed.request, requestText, { status: error.status, username: username.slice(0, 256), error: message })
        }
      },
    },
    { method: 'GET', path: OIDC_PATHS.userinfo, cors: 'clients', handle: userinfo },
    { method: 'POST', path: OIDC_PATHS.userinfo, cors: 'clients', handle: userinfo },
    { method: 'GET', path: OIDC_PATHS.endSession, handle: endSession },
    { method: 'POST', path: OIDC_PATHS.endSession, handle: endSession },
  ]
}

function showLogin(
  parts: BackendParts,
  ctx: RequestContext,
  request: AuthorizationRequest,
  requestText: string,
  { status = 200, username = request.loginHint, error }: { status?: number; username?: string; error?: string } = {},
): Response {
  const names = cookieNames(parts, ctx)
  const csrfToken = ctx.cookies[names.loginCsrf] ?? randomToken()
  ctx.response.setCookie(names.loginCsrf, csrfToken, loginCsrfCookieAttributes(ctx))
  const rendered = loginPage({
    clientName: request.client.name,
    action: `${parts.options.basePath}${OIDC_PATHS.login}`,
    request: requestText,
    csrfToken,
    returnOrigin: new URL(request.redirectUri).origin,
    username,
    error,
  })
  return pageFor(ctx, status, rendered)
}

async function redirectWithCode(parts: BackendParts, ctx: RequestContext, request: AuthorizationRequest, session: ProviderSession, status: 302 | 303): Promise<Response> {
  const code = await parts.codes.issue(
    {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      scope: request.scope,
      userId: session.userId,
      authTime: session.authTime,
      sessionId: session.id,
      sid: session.sid,
    },
    ctx.timings,
  )
  parts.stats.authorizations++
  return ctx.response.redirect(status, authorizationResponse(request.redirectUri, parts.options.issuer, { code, state: request.state }))
}

function redirectWithError(parts: BackendParts, ctx: RequestContext, request: { redirectUri: string; state: string | undefined }, error: AuthorizationErrorCode, description: string): Response {
  return ctx.response.redirect(302, authorizationResponse(request.redirectUri, parts.options.issuer, { error, error_description: description, state: request.state }))
}

/** O2: an unknown client or redirect URI gets a page here, never a redirect; other errors go back to the client. */
function answerInvalid(parts: BackendParts, ctx: RequestContext, parsed: Exclude<ParsedAuthorization, { kind: 'valid' }>): Response {
  if (parsed.kind === 'refuse') return pageFor(ctx, 400, messagePage('Sign-in request refused', parsed.message))
  return redirectWithError(parts, ctx, parsed, parsed.error, parsed.description)
}

/**
 * RP-Initiated Logout 1.0: ends the provider session and revokes the refresh families issued
 * through it. The browser goes back only to a `post_logout_redirect_uri` registered for the
 * client the `id_token_hint` (or `client_id`) names (O10); otherwise it stays on a page here.
 */
async function signOut(parts: BackendParts, ctx: RequestContext, params: URLSearchParams): Promise<Response> {
  const names = cookieNames(parts, ctx)
  const sessionId = ctx.cookies[names.providerSession]
  if (sessionId !== undefined) {
    for (const familyId of await parts.providerSessions.end(sessionId, ctx.timings)) await parts.families.revoke(familyId)
  }
  ctx.response.clearCookie(names.providerSession, providerCookieAttributes(ctx))

  const hintText = params.get('id_token_hint')
  const hint = hintText ? await readIdTokenHint(await parts.signingKey(), hintText, parts.options.issuer) : undefined
  const clientId = params.get('client_id') ?? hint?.clientId
  const client = clientId === undefined || (hint && hint.clientId !== clientId) ? undefined : parts.options.oidcClients.get(clientId)
  const target = params.get('post_logout_redirect_uri')
  if (client && target !== null && client.postLogoutRedirectUris.has(target)) {
    const url = new URL(target)
    const state = params.get('state')
    if (state !== null) url.searchParams.append('state', state)
    return ctx.response.redirect(303, url.href)
  }
  return pageFor(ctx, 200, messagePage('Signed out', 'You are signed out. You can close this window.'))
}

function pageFor(ctx: RequestContext, status: number, page: RenderedPage): Response {
  return ctx.response.html(status, page.body, page.headers)
}
