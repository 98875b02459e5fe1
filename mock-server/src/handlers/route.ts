import { http, type HttpHandler } from 'msw'
import { BackendError } from '../domain/errors.ts'
import { createRequestContext, type BackendParts, type RequestContext } from './context.ts'

export type Method = 'GET' | 'POST' | 'DELETE'

export interface Route {
  method: Method
  /** Path below the base path, in MSW syntax (`/api/notes/:id`). */
  path: string
  handle: (ctx: RequestContext) => Promise<Response>
  /** Control routes skip injected latency. */
  control?: boolean
  /**
   * `clients`: pages of registered OpenID clients may call it cross-origin, without credentials
   * (the token, discovery, JWKS, userinfo and revocation endpoints of a public client's sign-in).
   */
  cors?: 'clients'
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-XSRF-TOKEN, DPoP'
/** A DPoP client reads the nonce it must use next and why a proof was refused (RFC 9449 §8, §7.1). */
const DPOP_RESPONSE_HEADERS = 'DPoP-Nonce, WWW-Authenticate'

/**
 * Turns routes into MSW handlers: one per route, then one per path answering other methods with
 * 405 (M36), and a CORS preflight answer that admits only trusted origins (M37). Every failure
 * becomes a JSON error with a code; an unexpected exception is a 500 `server_error`, never a crash.
 */
export function toHandlers(parts: BackendParts, routes: Route[], ready: Promise<void>): HttpHandler[] {
  const { basePath, origin } = parts.options
  const pattern = (path: string) => `${origin ?? '*'}${basePath}${path}`
  const paths = [...new Set(routes.map((route) => route.path))]

  const preflights = paths.map((path) =>
    http.options(pattern(path), ({ request, params, cookies }) => {
      const ctx = createRequestContext(parts, request, stringParams(params), cookies)
      const forClients = routes.some((route) => route.path === path && route.cors === 'clients')
      if (allowTrustedOrigin(ctx) || (forClients && allowClientOrigin(parts, ctx))) {
        ctx.response.headers.set('Access-Control-Allow-Methods', allowedMethods(routes, path))
        ctx.response.headers.set('Access-Control-Allow-Headers', ALLOWED_HEADERS)
        ctx.response.headers.set('Access-Control-Max-Age', '600')
      }
      return ctx.response.empty(204)
    }),
  )

  const answer = async (route: Route, ctx: RequestContext): Promise<Response> => {
    try {
      // RFC 9700 §4.3.2: a token in a URL leaks into logs and history; refuse before reading it.
      if (ctx.url.searchParams.has('access_token')) {
        throw new BackendError('invalid_request', 'credentials in the query string are not accepted; use the Authorization header')
      }
      await ready
      if (!route.control && parts.faults.latencyMs > 0) await sleep(parts.faults.latencyMs)
      return await route.handle(ctx)
    } catch (error) {
      return ctx.response.error(toBackendError(parts, error))
    }
  }

  const handlers = routes.map((route) => {
    const register = route.method === 'GET' ? http.get : route.method === 'POST' ? http.post : http.delete
    return register(pattern(route.path), async ({ request, params, cookies }) => {
      const ctx = createRequestContext(parts, request, stringParams(params), cookies)
      const key = `${route.method} ${route.path}`
      parts.stats.requests[key] = (parts.stats.requests[key] ?? 0) + 1
      if (!allowTrustedOrigin(ctx) && route.cors === 'clients') allowClientOrigin(parts, ctx)
      const response = await answer(route, ctx)
      const outcome = `${key} ${response.status}`
      parts.stats.responses[outcome] = (parts.stats.responses[outcome] ?? 0) + 1
      return response
    })
  })

  const wrongMethod = paths.map((path) =>
    http.all(pattern(path), ({ request, params, cookies }) => {
      const ctx = createRequestContext(parts, request, stringParams(params), cookies)
      const allow = allowedMethods(routes, path)
      return ctx.response.error(
        new BackendError('method_not_allowed', `${request.method} is not allowed here; use ${allow}`, { headers: { Allow: allow } }),
      )
    }),
  )

  // MSW decodes `:params` with decodeURIComponent while matching, outside any resolver: a malformed
  // escape such as `/api/notes/%E0%A4%A` would throw there and end as a 500 or a crash (M18).
  const paramPrefixes = paths.filter((path) => path.includes('/:') || path.endsWith('/*')).map((path) => `${basePath}${path.slice(0, path.search(/\/[:*]/) + 1)}`)
  const malformedPath = http.all(
    ({ request }) => {
      const url = new URL(request.url)
      if ((origin !== undefined && url.origin !== origin) || !paramPrefixes.some((prefix) => url.pathname.startsWith(prefix))) return false
      try {
        decodeURIComponent(url.pathname)
        return false
      } catch {
        return true
      }
    },
    ({ request, cookies }) =>
      createRequestContext(parts, request, {}, cookies).response.error(new BackendError('invalid_request', 'the URL path has a malformed percent-escape')),
  )

  return [malformedPath, ...preflights, ...handlers, ...wrongMethod]
}

function toBackendError(parts: BackendParts, error: unknown): BackendError {
  if (error instanceof BackendError) {
    if (error.status === 401) parts.stats.unauthorized++
    return error
  }
  return new BackendError('server_error', 'unexpected server error')
}

/**
 * CORS for a configured foreign origin only; never `*`, which would also drop credentials. The
 * same origins may read `Server-Timing`, from fetch and from Resource Timing: how long a check
 * took can tell whether a session or a listed token exists, so no other site learns it.
 */
function allowTrustedOrigin(ctx: RequestContext): boolean {
  ctx.response.headers.set('Vary', 'Origin')
  const requester = ctx.request.headers.get('origin')
  if (requester === null || requester === ctx.url.origin || !ctx.trustedOrigins.has(requester)) return false
  ctx.response.headers.set('Access-Control-Allow-Origin', requester)
  ctx.response.headers.set('Access-Control-Allow-Credentials', 'true')
  ctx.response.headers.set('Access-Control-Expose-Headers', `Server-Timing, ${DPOP_RESPONSE_HEADERS}`)
  ctx.response.headers.set('Timing-Allow-Origin', requester)
  return true
}

/** A registered client's page reads the answer; no credentials, so no cookie of ours rides along. */
function allowClientOrigin(parts: BackendParts, ctx: RequestContext): boolean {
  const requester = ctx.request.headers.get('origin')
  if (requester === null || !parts.options.oidcClients.origins.has(requester)) return false
  ctx.response.headers.set('Access-Control-Allow-Origin', requester)
  ctx.response.headers.set('Access-Control-Expose-Headers', DPOP_RESPONSE_HEADERS)
  return true
}

function allowedMethods(routes: Route[], path: string): string {
  const methods = routes.filter((route) => route.path === path).map((route) => route.method)
  return [...new Set([...methods, 'OPTIONS'])].join(', ')
}

function stringParams(params: Record<string, string | readonly string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(params)) if (typeof value === 'string') result[name] = value
  return result
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
