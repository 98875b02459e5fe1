import { isAuthLikeName, isCsrfName } from './auth-names.ts'
import { isDeletion, parseCookieHeader, parseSetCookie } from './cookies.ts'
import { MAX_JSON_DEPTH, MAX_TOKEN_CHARS, isTokenLikeValue, looksLikeCompactJose } from './decode.ts'
import { headerValues, type ExchangeObservation, type Observation } from './observations.ts'
import { resolveUrl } from './origins.ts'
import { isSessionCookieName } from './session-cookies.ts'

/**
 * Finds token candidates in one observation and says where each was: which place (source + key)
 * and whether it was sent, received or stored. Knows nothing about earlier observations; grouping
 * the sightings of one token is identity.ts's job.
 */

export type TokenSource =
  | 'authorization-header'
  | 'request-header'
  | 'response-header'
  | 'cookie-header'
  | 'request-body'
  | 'response-body'
  | 'set-cookie'
  | 'location-header'
  | 'url-query'
  | 'url-fragment'
  | 'cookie-jar'
  | 'local-storage'
  | 'session-storage'
  | 'sdk-bridge'

export type Direction = 'sent' | 'received' | 'stored'

export interface TokenPlace {
  source: TokenSource
  /** Header name, JSON path (`data.access_token`), cookie name, storage key (+ path), query parameter. */
  key: string
}

export interface ExchangeRef {
  method: string
  url: string
  status: number
}

export interface TokenSighting {
  value: string
  place: TokenPlace
  direction: Direction
  at: number
  /** The request, for evidence (J7, J8, J12) and the timeline. */
  exchange?: ExchangeRef
}

/** Bodies beyond this are not parsed: token responses are small. */
export const MAX_BODY_CHARS = 1024 * 1024
const MAX_JSON_NODES = 5000
const MAX_SIGHTINGS = 50

type Emit = (value: string, key: string) => void

export function detectTokens(observation: Observation): TokenSighting[] {
  const sightings: TokenSighting[] = []
  const seen = new Set<string>()
  const collector = (source: TokenSource, direction: Direction, exchange?: ExchangeRef): Emit => (value, key) => {
    const id = `${source}\u0000${key}\u0000${value}`
    if (sightings.length >= MAX_SIGHTINGS || seen.has(id)) return
    seen.add(id)
    sightings.push({ value, place: { source, key }, direction, at: observation.at, ...(exchange ? { exchange } : {}) })
  }
  switch (observation.kind) {
    case 'exchange':
      detectInExchange(observation, collector)
      break
    case 'storage':
      if (observation.value !== null) {
        const source = observation.area === 'localStorage' ? 'local-storage' : 'session-storage'
        findInText(observation.value, observation.key, collector(source, 'stored'))
      }
      break
    case 'cookie':
      if (!observation.removed) findInCookie(observation.cookie.name, observation.cookie.value, collector('cookie-jar', 'stored'))
      break
    case 'page-url':
      findInUrl(observation.url, collector('url-query', 'received'), collector('url-fragment', 'received'))
      break
    case 'sdk': {
      const { message } = observation
      if (message.type === 'state' && message.state.accessToken) {
        collector('sdk-bridge', 'stored')(message.state.accessToken, message.state.storage)
      }
      break
    }
  }
  return sightings
}

function detectInExchange({ request, response, at }: ExchangeObservation, collector: (s: TokenSource, d: Direction, e?: ExchangeRef) => Emit): void {
  const exchange: ExchangeRef = { method: request.method.toUpperCase(), url: request.url, status: response.status }
  const sent = (source: TokenSource) => collector(source, 'sent', exchange)
  const received = (source: TokenSource) => collector(source, 'received', exchange)
  for (const header of request.headers) {
    const name = header.name.toLowerCase()
    if (name === 'authorization') {
      const credential = readAuthorization(header.value)
      if (credential) sent('authorization-header')(credential.token, header.name)
    } else if (name === 'cookie') {
      for (const pair of parseCookieHeader(header.value)) findInCookie(pair.name, pair.value, sent('cookie-header'))
    } else if (isAuthLikeName(name) && isTokenLikeValue(header.value.trim())) sent('request-header')(header.value.trim(), header.name)
  }
  findInUrl(request.url, sent('url-query'), sent('url-query'))
  if (request.body) findInBody(request.body, headerValues(request.headers, 'content-type')[0] ?? '', sent('request-body'))
  for (const header of response.headers) {
    const name = header.name.toLowerCase()
    if (name === 'set-cookie') {
      for (const line of header.value.split('\n')) {
        const cookie = parseSetCookie(line, request.url, at)
        if (cookie && !isDeletion(cookie, at)) findInCookie(cookie.name, cookie.value, received('set-cookie'))
      }
    } else if (name === 'location') {
      const emit = received('location-header')
      findInUrl(resolveUrl(header.value, request.url), emit, emit)
    } else if (name !== 'content-type' && isAuthLikeName(name) && isTokenLikeValue(header.value.trim())) {
      received('response-header')(header.value.trim(), header.name)
    }
  }
  if (response.body) findInBody(response.body, headerValues(response.headers, 'content-type')[0] ?? '', received('response-body'))
}

export interface AuthorizationCredential {
  scheme: 'Bearer' | 'DPoP'
  token: string
}

/** RFC 6750 §2.1 Bearer and RFC 9449 §7.1 DPoP carry tokens; Basic carries a password, not a token. */
export function readAuthorization(value: string): AuthorizationCredential | null {
  const match = /^(Bearer|DPoP)\s+(\S+)\s*$/i.exec(value)
  if (!match?.[1] || !match[2]) return null
  // Auth schemes are case-insensitive (RFC 9110 §11.1).
  return { scheme: match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2] }
}

function findInBody(body: string, contentType: string, emit: Emit): void {
  if (body.length > MAX_BODY_CHARS) return
  if (/x-www-form-urlencoded/i.test(contentType)) {
    for (const [name, value] of new URLSearchParams(body)) findInText(value, name, emit)
    return
  }
  const trimmed = body.trim()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) findInText(trimmed, '', emit)
}

/** Query and fragment parameters (`#access_token=` from the implicit flow). */
function findInUrl(url: string | null, emitQuery: Emit, emitFragment: Emit): void {
  if (!url) return
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return
  }
  for (const [name, value] of parsed.searchParams) findInText(value, name, emitQuery)
  if (parsed.hash.length > 1) for (const [name, value] of new URLSearchParams(parsed.hash.slice(1))) findInText(value, name, emitFragment)
}

/**
 * A string that may be a token, a JSON-encoded token (`"\"eyJ…\""`), or JSON holding tokens
 * (`{"auth":{"access_token":…}}`, the shape most SPA libraries persist).
 */
function findInText(text: string, name: string, emit: Emit): void {
  let value = text.trim()
  if (value.length === 0 || value.length > MAX_BODY_CHARS) return
  for (let layer = 0; layer < 2 && value.startsWith('"') && value.endsWith('"') && value.length >= 2; layer++) {
    const parsed = parseJson(value)
    if (typeof parsed !== 'string') break
    value = parsed.trim()
  }
  if (value.startsWith('{') || value.startsWith('[')) {
    const parsed = parseJson(value)
    if (parsed !== undefined) walkJson(parsed, name, emit)
    return
  }
  considerString(value, name, emit)
}

function considerString(value: string, key: string, emit: Emit): void {
  const leaf = key.split(/[.[\]]/).filter(Boolean).pop() ?? key
  if (value.length > MAX_TOKEN_CHARS || isCsrfName(leaf)) return
  if (looksLikeCompactJose(value) || (isAuthLikeName(leaf) && isTokenLikeValue(value))) emit(value, key)
}

/** Iterative and bounded: hostile JSON cannot recurse or spin. */
function walkJson(root: unknown, rootPath: string, emit: Emit): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: rootPath, depth: 0 }]
  let nodes = 0
  while (stack.length > 0 && nodes++ < MAX_JSON_NODES) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number }
    if (typeof value === 'string') {
      const trimmed = value.trim()
      // A token record serialised inside a field: JSON in a JSON string.
      if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length <= MAX_TOKEN_CHARS && depth < MAX_JSON_DEPTH) {
        const nested = parseJson(trimmed)
        if (nested !== undefined) stack.push({ value: nested, path, depth: depth + 1 })
      } else considerString(trimmed, path, emit)
    } else if (depth < MAX_JSON_DEPTH && Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 })
    } else if (depth < MAX_JSON_DEPTH && typeof value === 'object' && value !== null) {
      const entries = Object.entries(value)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown]
        stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 })
      }
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Shorter values are flags or preferences, not session ids (OWASP asks for 64 bits of entropy). */
const MIN_SESSION_ID_CHARS = 16

/**
 * A cookie's value, as a token or as JSON holding one; a session id cookie's value as it is, even
 * when it is not a b64token: express-session's `s:<id>.<signature>` is the session all the same.
 */
function findInCookie(name: string, value: string, emit: Emit): void {
  const text = cookieText(value)
  let found = false
  findInText(text, name, (v, key) => {
    found = true
    emit(v, key)
  })
  if (!found && isSessionCookieName(name) && text.length >= MIN_SESSION_ID_CHARS && text.length <= MAX_TOKEN_CHARS) emit(text, name)
}

/** Cookie values may be quoted or percent-encoded (RFC 6265bis §4.1.1). */
function cookieText(value: string): string {
  const unquoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
  if (!unquoted.includes('%')) return unquoted
  try {
    return decodeURIComponent(unquoted)
  } catch {
    return unquoted
  }
}
