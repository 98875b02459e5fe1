import { isCsrfName } from './auth-names.ts'
import { readAuthorization } from './detect.ts'
import { endpointOf } from './oauth.ts'
import { headerValues, type ExchangeObservation } from './observations.ts'
import { parseUrl } from './origins.ts'

/**
 * The page's own API calls and how each was authenticated: by an `Authorization` credential, or by
 * nothing the page could read (only cookies went along). What architecture.ts tells a
 * backend-for-frontend by: its proxy answers the page with no token in sight. Names and origins
 * only: no header or cookie value is kept.
 */

export type RequestCredential = 'none' | 'bearer' | 'dpop' | 'other'

export interface PageRequestFact {
  method: string
  origin: string
  /** Origin and path, without the query. */
  endpoint: string
  status: number
  credential: RequestCredential
  /** A `Cookie` header went along (DevTools' HAR shows it; page scripts never see HttpOnly ones). */
  cookie: boolean
  /**
   * A header a cross-site form cannot send, named for CSRF (`X-CSRF`, `X-XSRF-TOKEN`) or
   * `X-Requested-With`: how a BFF's proxy tells its own page's calls from forged ones (BCP §6.1.3.3).
   */
  csrfHeader: string | null
  count: number
  at: number
}

export interface PageRequestTracker {
  observe(observation: ExchangeObservation): void
  /** API calls seen, one per method, endpoint and credential, newest last. */
  facts(): readonly PageRequestFact[]
  clear(): void
}

const REQUESTED_WITH = 'x-requested-with'

/** An API call rather than a document, script or image: fetch/XHR by its `Sec-Fetch-Dest`, or a JSON answer. */
export function isApiCall(observation: ExchangeObservation): boolean {
  const dest = headerValues(observation.request.headers, 'sec-fetch-dest')[0]?.toLowerCase()
  if (dest !== undefined) return dest === 'empty'
  return /json/i.test(headerValues(observation.response.headers, 'content-type')[0] ?? '')
}

/** One observation as a fact; null when it is not an API call. */
export function readPageRequest(observation: ExchangeObservation): PageRequestFact | null {
  const { request, response, at } = observation
  const url = parseUrl(request.url)
  if (!url || !isApiCall(observation)) return null
  const authorization = headerValues(request.headers, 'authorization')[0]
  const scheme = authorization === undefined ? null : readAuthorization(authorization)?.scheme
  const csrfHeader = request.headers.find((h) => h.name.toLowerCase() === REQUESTED_WITH || isCsrfName(h.name))?.name ?? null
  return {
    method: request.method.toUpperCase(),
    origin: url.origin,
    endpoint: endpointOf(url),
    status: response.status,
    credential: authorization === undefined ? 'none' : scheme === 'Bearer' ? 'bearer' : scheme === 'DPoP' ? 'dpop' : 'other',
    cookie: headerValues(request.headers, 'cookie').length > 0,
    csrfHeader,
    count: 1,
    at,
  }
}

export function createPageRequestTracker(maxRequests = 100): PageRequestTracker {
  const requests = new Map<string, PageRequestFact>()
  return {
    observe(observation) {
      const fact = readPageRequest(observation)
      if (!fact) return
      const key = `${fact.method} ${fact.endpoint} ${fact.credential}`
      const count = (requests.get(key)?.count ?? 0) + 1
      requests.delete(key)
      requests.set(key, { ...fact, count })
      if (requests.size > maxRequests) requests.delete(requests.keys().next().value as string)
    },
    facts: () => [...requests.values()],
    clear: () => requests.clear(),
  }
}
