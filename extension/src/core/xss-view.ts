import { cookieKey, describePartition, isAuthCookie, type CookieRecord } from './cookies.ts'
import type { TokenRecord } from './identity.ts'
import type { StorageKeyInfo } from './inspector.ts'

/**
 * "What can an XSS read here?": the page's Web Storage and JS-readable cookies (readable and
 * exfiltrable by any script on the origin), tokens the page holds in memory (readable by a script
 * running now, gone when the tab closes), and HttpOnly cookies (unreadable, though a running XSS can
 * still send requests that carry them).
 */

export type Exposure = 'readable-persistent' | 'readable-in-memory' | 'http-only' | 'not-on-page'

export interface CookieExposure {
  key: string
  name: string
  domain: string
  path: string
  auth: boolean
  partition: string | null
}

export interface XssView {
  storage: StorageKeyInfo[]
  readableCookies: CookieExposure[]
  httpOnlyCookies: CookieExposure[]
  /** Per token id: the most exposed place it was seen in. */
  tokens: Array<{ tokenId: string; exposure: Exposure }>
}

const PERSISTENT = new Set(['local-storage', 'session-storage'])

export function xssView(state: { tokens: readonly TokenRecord[]; cookies: readonly CookieRecord[]; storage: readonly StorageKeyInfo[] }): XssView {
  const describe = (cookie: CookieRecord): CookieExposure => ({
    key: cookieKey(cookie),
    name: cookie.name,
    domain: cookie.domain,
    path: cookie.path,
    auth: isAuthCookie(cookie),
    partition: describePartition(cookie),
  })
  return {
    storage: [...state.storage].sort((a, b) => Number(b.holdsToken) - Number(a.holdsToken)),
    readableCookies: state.cookies.filter((c) => !c.httpOnly).map(describe),
    httpOnlyCookies: state.cookies.filter((c) => c.httpOnly).map(describe),
    tokens: tokenExposures(state.tokens, state.cookies),
  }
}

/** Per token id, the most exposed place it was seen in, given the cookie jar's HttpOnly flags. */
export function tokenExposures(tokens: readonly TokenRecord[], cookies: readonly CookieRecord[]): XssView['tokens'] {
  const readableCookieNames = new Set(cookies.filter((c) => !c.httpOnly).map((c) => c.name))
  const httpOnlyCookieNames = new Set(cookies.filter((c) => c.httpOnly).map((c) => c.name))
  return tokens.map((token) => ({ tokenId: token.id, exposure: exposureOf(token, readableCookieNames, httpOnlyCookieNames) }))
}

const COOKIE_SOURCES = new Set(['cookie-jar', 'set-cookie', 'cookie-header'])

function exposureOf(token: TokenRecord, readable: ReadonlySet<string>, httpOnly: ReadonlySet<string>): Exposure {
  const places = token.places.map((p) => p.place)
  // A cookie place key is the cookie name, or name.path for JSON inside the cookie.
  const inCookie = (names: ReadonlySet<string>) =>
    places.some((p) => COOKIE_SOURCES.has(p.source) && [...names].some((name) => p.key === name || p.key.startsWith(`${name}.`)))
  const inReadableCookie = inCookie(readable)
  if (places.some((p) => PERSISTENT.has(p.source) || (p.source === 'sdk-bridge' && p.key !== 'memory')) || inReadableCookie) return 'readable-persistent'
  // Sent in Authorization or handed to page code: page JavaScript held it.
  if (places.some((p) => p.source === 'sdk-bridge' || p.source === 'authorization-header' || p.source === 'response-body' || p.source === 'url-fragment' || p.source === 'url-query')) {
    return 'readable-in-memory'
  }
  return inCookie(httpOnly) ? 'http-only' : 'not-on-page'
}
