import { isAuthCookie, type CookieRecord } from './cookies.ts'
import type { PlaceRecord, TokenRecord } from './identity.ts'
import type { OAuthFacts, UnredeemedCodeFact } from './oauth-flow.ts'
import { parseUrl } from './origins.ts'
import type { PageRequestFact } from './page-requests.ts'
import { isSessionCookieName } from './session-cookies.ts'
import { tokenExposures } from './xss-view.ts'

/**
 * Where the page's credentials live, read from what the panel saw on any site (Duende BFF, Spring
 * `oauth2Login` behind a gateway, Auth.js, a .NET BFF…), never from paths. The browser-based apps
 * BCP ranks the backend-for-frontend first (§6.1): the browser holds only an HttpOnly session
 * cookie, the BFF redeems the code and keeps the tokens, and the page's API calls go through it
 * with no token. It differs from:
 *   - a plain server session: the same cookie, but no sign-in through a provider was seen;
 *   - a token-mediating backend (§6.2): the code is redeemed server-side, but tokens are handed to
 *     the page, where any script can take them;
 *   - browser-held tokens (§6.3): the page redeems the code, or holds and sends tokens itself.
 */

export type ArchitectureKind = 'backend-for-frontend' | 'token-mediating-backend' | 'server-session' | 'browser-tokens' | 'unknown'

export type Confidence = 'high' | 'medium' | 'low'

export type SignalId =
  | 'code-redeemed-server-side'
  | 'httponly-session-cookie'
  | 'cookie-only-api'
  | 'no-token-on-page'
  | 'no-provider-round-trip'
  | 'token-on-page'
  | 'page-code-exchange'
  | 'readable-session-cookie'

export interface ArchitectureSignal {
  id: SignalId
  /** Names, paths and token ids only: no value. */
  text: string
  /** The token a `token-on-page` signal is about. */
  tokenId?: string
}

export interface Architecture {
  kind: ArchitectureKind
  confidence: Confidence
  /** What was seen that the conclusion rests on, strongest first. */
  seen: ArchitectureSignal[]
  /** What keeps the page from being a backend-for-frontend where the rest of the pattern holds. */
  breaks: ArchitectureSignal[]
  /** The cookie the session rides in: HttpOnly if there is one. */
  sessionCookie: Pick<CookieRecord, 'name' | 'domain' | 'path' | 'httpOnly' | 'sameSite'> | null
  /** A CSRF header (`X-CSRF`, `X-Requested-With`…) the page's cookie-only API calls carried. */
  csrfHeader: string | null
}

export interface ArchitectureInput {
  tokens: readonly TokenRecord[]
  cookies: readonly CookieRecord[]
  page: URL | null
  oauth: OAuthFacts
  requests: readonly PageRequestFact[]
}

export const ARCHITECTURE_NAMES: Readonly<Record<ArchitectureKind, string>> = {
  'backend-for-frontend': 'backend-for-frontend',
  'token-mediating-backend': 'token-mediating backend',
  'server-session': 'server session',
  'browser-tokens': 'browser-held tokens',
  unknown: 'not determined yet',
}

export function detectArchitecture(input: ArchitectureInput): Architecture {
  const { tokens, cookies, page, oauth, requests } = input
  const authCookies = cookies.filter(isAuthCookie)
  const cookie = preferredSession(authCookies.filter((c) => c.httpOnly)) ?? preferredSession(authCookies)
  const onPage = tokensOnPage(tokens, cookies)
  const pageExchange = oauth.codeExchanges.length > 0
  const redeemed = pageExchange ? [] : oauth.unredeemedCodes.filter((c) => page !== null && parseUrl(c.redirectUri)?.origin === page.origin)
  const cookieOnly = requests.filter((r) => page !== null && r.origin === page.origin && r.credential === 'none' && r.status >= 200 && r.status < 300)
  const csrfHeader = cookieOnly.find((r) => r.csrfHeader !== null)?.csrfHeader ?? null

  const signals = {
    redeemed: redeemed[0] ? signal('code-redeemed-server-side', redeemedText(redeemed[0])) : null,
    cookie: cookie ? cookieSignal(cookie) : null,
    api: cookieOnly.length > 0 ? signal('cookie-only-api', apiText(cookieOnly, csrfHeader)) : null,
  }
  const tokenBreaks = onPage.map(({ token, place }) => ({ ...signal('token-on-page', `${roleName(token)} ${token.id} ${placeText(place)}`), tokenId: token.id }))
  const result = (kind: ArchitectureKind, confidence: Confidence, seen: Array<ArchitectureSignal | null>, breaks: ArchitectureSignal[] = []): Architecture => ({
    kind,
    confidence,
    seen: seen.filter((s): s is ArchitectureSignal => s !== null),
    breaks,
    sessionCookie: cookie ? { name: cookie.name, domain: cookie.domain, path: cookie.path, httpOnly: cookie.httpOnly, sameSite: cookie.sameSite } : null,
    csrfHeader,
  })

  if (onPage.length > 0 || pageExchange) {
    if (signals.redeemed) return result('token-mediating-backend', cookie ? 'high' : 'medium', [signals.redeemed, signals.cookie], tokenBreaks)
    const exchange = oauth.codeExchanges[0]
    return result('browser-tokens', 'high', [exchange ? signal('page-code-exchange', `the page redeemed an authorization code itself at ${exchange.endpoint}`) : null, ...tokenBreaks])
  }
  const none = signal('no-token-on-page', 'no access, ID or refresh token anywhere the page can read: Web Storage, readable cookies, response bodies, Authorization headers')
  if (signals.redeemed && cookie) {
    if (!cookie.httpOnly) return result('backend-for-frontend', 'low', [signals.redeemed, signals.api, none], [signals.cookie as ArchitectureSignal])
    return result('backend-for-frontend', signals.api ? 'high' : 'medium', [signals.redeemed, signals.cookie, signals.api, none])
  }
  if (cookie) {
    const noRoundTrip = signal('no-provider-round-trip', 'no sign-in through an OAuth / OpenID provider was seen; a backend-for-frontend signed in before the panel looked would read the same')
    return result('server-session', signals.api && cookie.httpOnly ? 'medium' : 'low', [signals.cookie, signals.api, none, noRoundTrip])
  }
  return result('unknown', 'low', [signals.redeemed, signals.api])
}

function signal(id: SignalId, text: string): ArchitectureSignal {
  return { id, text }
}

/** A session id's name first, then a `__Host-` cookie: the one a server session rides in. */
function preferredSession(candidates: readonly CookieRecord[]): CookieRecord | undefined {
  return candidates.find((c) => isSessionCookieName(c.name)) ?? candidates.find((c) => c.name.startsWith('__Host-')) ?? candidates[0]
}

function cookieSignal(cookie: CookieRecord): ArchitectureSignal {
  return cookie.httpOnly
    ? signal('httponly-session-cookie', `the session rides in the HttpOnly cookie "${cookie.name}": page scripts cannot read it`)
    : signal('readable-session-cookie', `the session cookie "${cookie.name}" is not HttpOnly: any script on the page can read it (C1)`)
}

function redeemedText(code: UnredeemedCodeFact): string {
  return `a sign-in at ${code.endpoint} (client ${code.clientId}) came back to ${code.redirectUri} on this origin, and the page never redeemed the code: a server did`
}

function apiText(calls: readonly PageRequestFact[], csrfHeader: string | null): string {
  const count = calls.reduce((n, c) => n + c.count, 0)
  const newest = calls[calls.length - 1] as PageRequestFact
  const path = parseUrl(newest.endpoint)?.pathname ?? newest.endpoint
  return `${count} same-origin API call${count === 1 ? '' : 's'} answered without an Authorization header (${newest.method} ${path}${calls.length > 1 ? ', …' : ''})${csrfHeader ? `, with the ${csrfHeader} header` : ''}`
}

function roleName(token: TokenRecord): string {
  return token.role === 'id' ? 'ID token' : token.role === 'access' || token.role === 'refresh' ? `${token.role} token` : 'token'
}

const EXPOSED_SOURCES: ReadonlyArray<PlaceRecord['place']['source']> = ['local-storage', 'session-storage', 'cookie-jar', 'response-body', 'authorization-header', 'sdk-bridge', 'url-fragment', 'url-query']

/** Tokens other than session ids that page scripts could read, each with the most telling place. */
function tokensOnPage(tokens: readonly TokenRecord[], cookies: readonly CookieRecord[]): Array<{ token: TokenRecord; place: PlaceRecord | undefined }> {
  const byId = new Map(tokens.map((t) => [t.id, t]))
  const readable = new Set(cookies.filter((c) => !c.httpOnly).map((c) => c.name))
  const found: Array<{ token: TokenRecord; place: PlaceRecord | undefined }> = []
  for (const { tokenId, exposure } of tokenExposures(tokens, cookies)) {
    const token = byId.get(tokenId)
    if (!token || token.role === 'session' || (exposure !== 'readable-persistent' && exposure !== 'readable-in-memory')) continue
    const places = token.places.filter((p) => p.place.source !== 'cookie-jar' || [...readable].some((name) => p.place.key === name || p.place.key.startsWith(`${name}.`)))
    const place = EXPOSED_SOURCES.map((source) => places.find((p) => p.place.source === source)).find((p) => p !== undefined)
    found.push({ token, place })
  }
  return found
}

function placeText(record: PlaceRecord | undefined): string {
  if (!record) return 'within reach of page scripts'
  const { place, lastExchange } = record
  const request = lastExchange ? `${lastExchange.method} ${parseUrl(lastExchange.url)?.pathname ?? ''}` : 'a request'
  switch (place.source) {
    case 'local-storage':
      return `in localStorage "${place.key}"`
    case 'session-storage':
      return `in sessionStorage "${place.key}"`
    case 'cookie-jar':
      return `in the readable cookie "${place.key}"`
    case 'response-body':
      return `in the response body of ${request}`
    case 'authorization-header':
      return `sent by the page in Authorization (${request})`
    case 'sdk-bridge':
      return 'held by the page (SDK)'
    default:
      return 'in a URL the page saw'
  }
}
