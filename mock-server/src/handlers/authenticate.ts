import type { AccessTokenClaims } from '../domain/access-tokens.ts'
import { assertDoubleSubmit } from '../domain/csrf.ts'
import { BackendError } from '../domain/errors.ts'
import type { Session } from '../domain/sessions.ts'
import type { User } from '../domain/users.ts'
import { cookieNames, assertRequestOrigin, type BackendParts, type RequestContext } from './context.ts'
import { countDpopRefusal, DPOP_CHALLENGE, resourceProof, withDpopChallenge } from './dpop.ts'

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
  if (authorization !== null) return authenticateToken(parts, ctx, authorization)

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
 * or a logout or a revocation would answer success without having happened. A nonce challenge
 * refuses no credential: the client is to send the request again with the nonce (RFC 9449 §9);
 * going on without it would sign out without revoking the DPoP token the logout presented.
 */
export function ignoreRefusal(error: unknown): undefined {
  if (error instanceof BackendError && error.status < 500 && error.code !== 'use_dpop_nonce') return undefined
  throw error
}

/** `cookie`: where the page keeps its copy of the token (the BFF has its own). */
export function assertCsrf(parts: BackendParts, ctx: RequestContext, bound: string, cookie = cookieNames(parts, ctx).csrf): void {
  try {
    assertRequestOrigin(parts, ctx, true)
    if (parts.faults.csrf.tokenCheck) assertDoubleSubmit(ctx.request.headers.get('x-xsrf-token'), ctx.cookies[cookie], bound)
  } catch (error) {
    parts.stats.csrfRejections++
    throw error
  }
}

/**
 * `Bearer <token>` (RFC 6750) or `DPoP <token>` with a proof (RFC 9449 §7). A token bound to a key
 * is refused as Bearer, proof or not: the downgrade would let whoever stole it use it (D2, D10,
 * §7.2); an unbound token is refused as DPoP, which it cannot be.
 */
async function authenticateToken(parts: BackendParts, ctx: RequestContext, authorization: string): Promise<Principal> {
  const match = /^(Bearer|DPoP) ([^\s]+)$/i.exec(authorization.trim())
  const dpop = match?.[1]?.toLowerCase() === 'dpop'
  // RFC 9449 §7.1: where DPoP is in play, the client learns that it is accepted and with which algorithms.
  const refuse = (error: BackendError) => (dpop ? withDpopChallenge(error) : bearerError(error, ctx.request.headers.has('dpop') ? DPOP_CHALLENGE : undefined))
  if (!match?.[2]) throw refuse(new BackendError('invalid_token', 'Authorization must be "Bearer <token>" or "DPoP <token>"', { reason: 'malformed' }))
  const token = match[2]
  let claims: AccessTokenClaims
  try {
    claims = await parts.tokens.verify(token, ctx.timings)
  } catch (error) {
    // Only a refused token is the client's to fix; a store outage (503) keeps its own answer.
    throw error instanceof BackendError && error.status === 401 ? refuse(error) : error
  }
  const boundKey = claims.cnf?.jkt
  if (!dpop && boundKey !== undefined) {
    countDpopRefusal(parts, 'bearer_downgrade')
    throw bearerError(new BackendError('invalid_token', 'this access token is bound to a DPoP key: send it as "DPoP <token>" with a proof', { reason: 'bearer_downgrade' }), DPOP_CHALLENGE)
  }
  if (dpop) {
    if (boundKey === undefined) {
      countDpopRefusal(parts, 'unbound_token')
      throw withDpopChallenge(new BackendError('invalid_token', 'this access token is not bound to a DPoP key: send it as "Bearer <token>"', { reason: 'unbound_token' }))
    }
    await resourceProof(parts, ctx, token, boundKey)
  }
  const user = parts.users.findById(claims.sub)
  if (!user) throw refuse(new BackendError('invalid_token', 'the token subject no longer exists', { reason: 'claim' }))
  return { kind: 'bearer', user, claims }
}

/**
 * RFC 6750 §3: a rejected bearer token is answered with its error in `WWW-Authenticate` (M20);
 * `also` adds another challenge, such as DPoP's for a bound token sent as Bearer.
 */
function bearerError(error: BackendError, also?: string): BackendError {
  const description = error.description.replace(/["\\]/g, '')
  return new BackendError(error.code, error.description, {
    status: error.status,
    reason: error.reason,
    headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${description}"${also ? `, ${also}` : ''}` },
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
