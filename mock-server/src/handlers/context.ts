import type { ResolvedOptions } from '../config.ts'
import type { AccessTokens } from '../domain/access-tokens.ts'
import type { Bff } from '../domain/bff/bff.ts'
import { LOGIN_TTL_SECONDS } from '../domain/bff/logins.ts'
import type { Clock } from '../domain/clock.ts'
import type { DpopProofs } from '../domain/dpop.ts'
import type { DpopNonces } from '../domain/dpop-nonces.ts'
import type { Faults } from '../domain/faults.ts'
import type { Notes } from '../domain/notes.ts'
import type { AuthorizationCodes } from '../domain/oidc/codes.ts'
import type { ProviderSessions } from '../domain/oidc/provider-sessions.ts'
import type { RefreshFamilies } from '../domain/refresh-families.ts'
import type { RevocationList } from '../domain/revocation-list.ts'
import type { SessionStore } from '../domain/sessions.ts'
import type { SigningKey } from '../domain/signing-keys.ts'
import type { Stats } from '../domain/stats.ts'
import type { UserDirectory } from '../domain/users.ts'
import { assertTrustedOrigin } from '../domain/csrf.ts'
import type { AuthStateStore } from '../store/types.ts'
import { isLoopback } from '../domain/urls.ts'
import { ResponseBuilder, type CookieAttributes } from './http-kit.ts'
import { ServerTiming } from './server-timing.ts'

/** The domain a backend instance owns; handlers read and change it only through these parts. */
export interface BackendParts {
  options: ResolvedOptions
  clock: Clock
  users: UserDirectory
  tokens: AccessTokens
  families: RefreshFamilies
  sessions: SessionStore
  codes: AuthorizationCodes
  providerSessions: ProviderSessions
  notes: Notes
  revocations: RevocationList
  stats: Stats
  faults: Faults
  /** RFC 9449 proof checks, with the replay records of the current store. */
  dpop: DpopProofs
  dpopNonces: DpopNonces
  /** The backend-for-frontend, when the `bff` option turns it on. */
  bff: Bff | undefined
  signingKey: () => Promise<SigningKey>
  /** Where sessions, families and revocations live: `Server-Timing` says which store a step waited on. */
  storeKind: AuthStateStore['kind']
}

export interface RequestContext {
  request: Request
  url: URL
  params: Record<string, string>
  cookies: Record<string, string>
  /** https, or a loopback host, where browsers honour `Secure` and `__Host-` cookies. */
  secure: boolean
  /** Origins whose unsafe requests are accepted: the server's own plus the configured ones. */
  trustedOrigins: ReadonlySet<string>
  /** The server's own work on this request; the response carries it as `Server-Timing`. */
  timings: ServerTiming
  response: ResponseBuilder
}

/**
 * `cookies` comes from MSW, not from the `Cookie` header: in the browser worker the page cannot
 * put `Cookie` on a request (a forbidden header), so MSW reads `document.cookie` for it.
 */
export function createRequestContext(
  parts: BackendParts,
  request: Request,
  params: Record<string, string>,
  cookies: Record<string, string>,
): RequestContext {
  const url = new URL(request.url)
  const { algorithm, cookieJar } = parts.options
  const timings = new ServerTiming({ verify: algorithm, sign: algorithm, lookup: parts.storeKind, store: parts.storeKind, password: 'PBKDF2-SHA256', dpop: 'proof' })
  return {
    request,
    url,
    params,
    cookies,
    secure: url.protocol === 'https:' || isLoopback(url.hostname),
    trustedOrigins: new Set([url.origin, ...parts.options.trustedOrigins]),
    timings,
    response: new ResponseBuilder(cookieJar, parts.clock.now(), timings),
  }
}

/** Cookie names with the prefixes browsers enforce on secure origins (RFC 6265bis §4.1.3). */
export function cookieNames(parts: BackendParts, ctx: RequestContext) {
  const names = parts.options.cookieNames
  return {
    session: ctx.secure ? `__Host-${names.session}` : names.session,
    refresh: ctx.secure ? `__Secure-${names.refresh}` : names.refresh,
    csrf: names.csrf,
    providerSession: ctx.secure ? `__Host-${names.providerSession}` : names.providerSession,
    /** Double-submit token of the provider's login form. */
    loginCsrf: ctx.secure ? `__Host-${names.providerSession}-login` : `${names.providerSession}-login`,
    bffSession: ctx.secure ? `__Host-${names.bffSession}` : names.bffSession,
    bffCsrf: names.bffCsrf,
    /** Binds a BFF sign-in under way to the browser that started it (its `state`). */
    bffLogin: ctx.secure ? `__Host-${names.bffSession}-login` : `${names.bffSession}-login`,
  }
}

/** The provider session: sent on the top-level navigations that bring a user back from a client (Lax). */
export function providerCookieAttributes(ctx: RequestContext): CookieAttributes {
  return { httpOnly: true, secure: ctx.secure, sameSite: 'Lax', path: '/' }
}

/** The login form posts to its own origin only. */
export function loginCsrfCookieAttributes(ctx: RequestContext): CookieAttributes {
  return { httpOnly: true, secure: ctx.secure, sameSite: 'Strict', path: '/' }
}

export function sessionCookieAttributes(parts: BackendParts, ctx: RequestContext): CookieAttributes {
  return { httpOnly: true, secure: ctx.secure, sameSite: parts.faults.csrf.sessionCookieSameSite, path: '/' }
}

export function csrfCookieAttributes(ctx: RequestContext): CookieAttributes {
  return { httpOnly: false, secure: ctx.secure, sameSite: 'Lax', path: '/' }
}

/**
 * The BFF session: `SameSite=Strict`, as the browser-apps BCP §6.1.3.2 advises. Only the page's own
 * requests need it (the session check, the proxy, sign-out), never a navigation arriving from
 * another site, so a cross-site request to the proxy carries no cookie at all (B2). The page's CSRF
 * cookie goes with it.
 */
export function bffSessionCookieAttributes(ctx: RequestContext, httpOnly = true): CookieAttributes {
  return { httpOnly, secure: ctx.secure, sameSite: 'Strict', path: '/' }
}

/** The sign-in under way: `Lax`, as the provider's answer is a top-level navigation from its site. */
export function bffLoginCookieAttributes(ctx: RequestContext): CookieAttributes {
  return { httpOnly: true, secure: ctx.secure, sameSite: 'Lax', path: '/', maxAge: LOGIN_TTL_SECONDS }
}

/** The refresh cookie goes only to the endpoints that need it: refresh and logout. */
export function refreshCookieAttributes(parts: BackendParts, ctx: RequestContext, maxAge?: number): CookieAttributes {
  return {
    httpOnly: true,
    secure: ctx.secure,
    sameSite: 'Strict',
    path: `${parts.options.basePath}/api/auth`,
    ...(maxAge === undefined ? {} : { maxAge }),
  }
}

/**
 * Origin and Fetch Metadata checks for an unsafe request (see domain/csrf.ts). `partners` are
 * further cross-site origins to accept, such as the registered OpenID clients' at the token endpoint.
 */
export function assertRequestOrigin(parts: BackendParts, ctx: RequestContext, requireEvidence: boolean, partners: Iterable<string> = []): void {
  const { headers } = ctx.request
  assertTrustedOrigin(
    { origin: headers.get('origin'), referer: headers.get('referer'), secFetchSite: headers.get('sec-fetch-site') },
    ctx.trustedOrigins,
    // The service worker sees requests without `Origin` or `Referer` (forbidden headers there), so
    // the worker build cannot demand them; it already says it cannot give cookie guarantees.
    { requireEvidence: requireEvidence && parts.options.cookieJar === 'http', partners: new Set([...parts.options.trustedOrigins, ...partners]) },
  )
}
