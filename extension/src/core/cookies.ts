import { isAuthLikeName } from './auth-names.ts'
import { looksLikeCompactJose } from './decode.ts'
import { isSessionCookieName } from './session-cookies.ts'

/**
 * Cookie records shaped like `chrome.cookies.Cookie` (so the service worker passes them through
 * untouched), plus parsers for the `Set-Cookie` and `Cookie` headers seen on the network.
 */

export type SameSite = 'no_restriction' | 'lax' | 'strict' | 'unspecified'

/** CHIPS (RFC 6265bis draft "Partitioned"): the top-level site the cookie jar is keyed by. */
export interface CookiePartitionKey {
  topLevelSite?: string
  hasCrossSiteAncestor?: boolean
}

export interface CookieRecord {
  name: string
  value: string
  domain: string
  path: string
  secure: boolean
  httpOnly: boolean
  sameSite: SameSite
  /** False when a `Domain` attribute shares the cookie with subdomains; inferred from a leading dot when absent. */
  hostOnly?: boolean
  session: boolean
  /** Seconds since the epoch; absent for session cookies. */
  expirationDate?: number
  partitionKey?: CookiePartitionKey
}

/** Two cookies are the same only with the same name, domain, path and partition (CHIPS). */
export function cookieKey(cookie: Pick<CookieRecord, 'name' | 'domain' | 'path' | 'partitionKey'>): string {
  return [cookie.name, cookie.domain, cookie.path, cookie.partitionKey?.topLevelSite ?? '', cookie.partitionKey?.hasCrossSiteAncestor ? 'x' : ''].join('\u0000')
}

export function isHostOnly(cookie: Pick<CookieRecord, 'hostOnly' | 'domain'>): boolean {
  return cookie.hostOnly ?? !cookie.domain.startsWith('.')
}

/** Holds a credential: an auth-like name (not a CSRF token), a session id's name, or a JWT as its value. */
export function isAuthCookie(cookie: Pick<CookieRecord, 'name' | 'value'>): boolean {
  return isAuthLikeName(cookie.name) || isSessionCookieName(cookie.name) || looksLikeCompactJose(cookie.value)
}

export function describePartition(cookie: Pick<CookieRecord, 'partitionKey'>): string | null {
  const key = cookie.partitionKey
  if (!key) return null
  return `partitioned under ${key.topLevelSite ?? 'an unknown top-level site'}${key.hasCrossSiteAncestor ? ' (cross-site ancestor)' : ''}`
}

/**
 * Parses one `Set-Cookie` value as the browser would store it (RFC 6265bis §5.6), relative to the
 * URL that set it. `topLevelSite` fills the CHIPS partition key when the cookie is `Partitioned`.
 */
export function parseSetCookie(header: string, requestUrl: string, nowMs: number, topLevelSite?: string): CookieRecord | null {
  const [pair = '', ...attributes] = header.split(';')
  const equals = pair.indexOf('=')
  const name = (equals < 0 ? '' : pair.slice(0, equals)).trim()
  const value = (equals < 0 ? pair : pair.slice(equals + 1)).trim()
  if (name === '' && value === '') return null
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return null
  }
  const cookie: CookieRecord = {
    name,
    value,
    domain: url.hostname,
    hostOnly: true,
    path: defaultPath(url.pathname),
    secure: false,
    httpOnly: false,
    sameSite: 'unspecified',
    session: true,
  }
  let maxAge: number | null = null
  let expires: number | null = null
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=')
    const key = rawKey.trim().toLowerCase()
    const attributeValue = rest.join('=').trim()
    if (key === 'secure') cookie.secure = true
    else if (key === 'httponly') cookie.httpOnly = true
    else if (key === 'partitioned') cookie.partitionKey = topLevelSite ? { topLevelSite } : {}
    else if (key === 'path' && attributeValue.startsWith('/')) cookie.path = attributeValue
    else if (key === 'domain' && attributeValue !== '') {
      cookie.domain = `.${attributeValue.replace(/^\./, '').toLowerCase()}`
      cookie.hostOnly = false
    } else if (key === 'samesite') cookie.sameSite = sameSiteOf(attributeValue)
    else if (key === 'max-age' && /^-?\d+$/.test(attributeValue)) maxAge = Number(attributeValue)
    else if (key === 'expires') {
      const parsed = Date.parse(attributeValue)
      if (Number.isFinite(parsed)) expires = parsed
    }
  }
  // Max-Age wins over Expires (RFC 6265bis §5.6.2).
  const expiresAtMs = maxAge !== null ? nowMs + maxAge * 1000 : expires
  if (expiresAtMs !== null) {
    cookie.session = false
    cookie.expirationDate = expiresAtMs / 1000
  }
  return cookie
}

/** A `Set-Cookie` whose expiry is already past removes the cookie: how servers log out. */
export function isDeletion(cookie: CookieRecord, nowMs: number): boolean {
  return cookie.expirationDate !== undefined && cookie.expirationDate * 1000 <= nowMs
}

/** `Cookie: a=1; b=2` → pairs, in order. */
export function parseCookieHeader(header: string): Array<{ name: string; value: string }> {
  const pairs: Array<{ name: string; value: string }> = []
  for (const part of header.split(';')) {
    const equals = part.indexOf('=')
    if (equals <= 0) continue
    pairs.push({ name: part.slice(0, equals).trim(), value: part.slice(equals + 1).trim() })
  }
  return pairs
}

function sameSiteOf(value: string): SameSite {
  const lower = value.toLowerCase()
  return lower === 'none' ? 'no_restriction' : lower === 'lax' ? 'lax' : lower === 'strict' ? 'strict' : 'unspecified'
}

/** RFC 6265bis §5.1.4: the directory of the request path. */
function defaultPath(pathname: string): string {
  if (!pathname.startsWith('/')) return '/'
  const last = pathname.lastIndexOf('/')
  return last <= 0 ? '/' : pathname.slice(0, last)
}
