import type { AccessTokenClaims } from '../domain/access-tokens.ts'
import { assertDoubleSubmit } from '../domain/csrf.ts'
import { BackendError } from '../domain/errors.ts'
import type { Session } from '../domain/sessions.ts'
import type { User } from '../domain/users.ts'
import { cookieNames, assertRequestOrigin, type BackendParts, type RequestContext } from './context.ts'

export type Principal =
  | { kind: 'bearer'; user: User; claims: AccessTokenClaims }
  | { kind: 'session'; user: User; session: Session }

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export const REALM = 'Bearer realm="authlens"'

/**
 * Who is calling. An `Authorization` header, when present, is the only credential considered: a
 * session cookie riding along is ignored, so the two can never be mixed into one identity (M19).
 * Cookie-authenticated unsafe requests must pass the Origin and double-submit checks (M15, M34).
 */
export async function authenticate(parts: BackendParts, ctx: RequestContext): Promise<Principal> {
  const authorization = ctx.request.headers.get('authorization')
  if (authorization !== null) return authenticateBearer(parts, ctx, authorization)

  const sessionId = ctx.cookies[cookieNames(parts, ctx).session]
  if (sessionId === undefined) {
    throw new BackendError('missing_credentials', 'sign in first: no bearer token or session cookie', {
      headers: { 'WWW-Authenticate': REALM },
    })
  }
  const session = await withRealm(() => parts.sessions.touch(sessionId, ctx.timings))
  if (!SAFE_METHODS.has(ctx.request.method)) assertCsrf(parts, ctx, session.csrfToken)
  const user = parts.users.findById(session.userId)
  if (!user) throw new BackendError('invalid_session', 'the session user no longer exists', { headers: { 'WWW-Authenticate': REALM } })
  return { kind: 'session', user, session }
}

/**
 * For callers that go on without a credential the server refused (4xx): it reads as none. Any
 * other failure, such as the session store being unreachable (503), must still fail the request,
 * or a logout or a revocation would answer success without having happened.
 */
export function ignoreRefusal(error: unknown): undefined {
  if (error instanceof BackendError && error.status < 500) return undefined
  throw error
}

export function assertCsrf(parts: BackendParts, ctx: RequestContext, bound: string): void {
  try {
    assertRequestOrigin(parts, ctx, true)
    if (parts.faults.csrf.tokenCheck) assertDoubleSubmit(ctx.request.headers.get('x-xsrf-token'), ctx.cookies[cookieNames(parts, ctx).csrf], bound)
  } catch (error) {
    parts.stats.csrfRejections++
    throw error
  }
}

async function authenticateBearer(parts: BackendParts, ctx: RequestContext, authorization: string): Promise<Principal> {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization.trim())
  if (!match?.[1]) throw bearerError(new BackendError('invalid_token', 'Authorization must be "Bearer <token>"', { reason: 'malformed' }))
  let claims: AccessTokenClaims
  try {
    claims = await parts.tokens.verify(match[1], ctx.timings)
  } catch (error) {
    // Only a refused token is the client's to fix; a store outage (503) keeps its own answer.
    throw error instanceof BackendError && error.status === 401 ? bearerError(error) : error
  }
  const user = parts.users.findById(claims.sub)
  if (!user) throw bearerError(new BackendError('invalid_token', 'the token subject no longer exists', { reason: 'claim' }))
  return { kind: 'bearer', user, claims }
}

/** RFC 6750 §3: a rejected bearer token is answered with its error in `WWW-Authenticate` (M20). */
function bearerError(error: BackendError): BackendError {
  const description = error.description.replace(/["\\]/g, '')
  return new BackendError(error.code, error.description, {
    status: error.status,
    reason: error.reason,
    headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${description}"` },
  })
}

async function withRealm<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    if (error instanceof BackendError && error.status === 401) {
      throw new BackendError(error.code, error.description, { headers: { 'WWW-Authenticate': REALM } })
    }
    throw error
  }
}
