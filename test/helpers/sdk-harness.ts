import { createAuthClient, jwt, type AuthClient, type AuthClientOptions } from '@authlens/sdk'
import { createMockBackend, type MockBackend, type MockBackendOptions } from '@authlens/mock-server'
import { getResponse, type HttpHandler } from 'msw'

export const ORIGIN = 'http://localhost'

export interface SentRequest {
  method: string
  url: string
  path: string
  headers: Record<string, string>
}

/**
 * The SDK against a fresh mock backend, through MSW's handlers, with a fetch that behaves like a
 * browser's: a cookie jar honouring `credentials`, `Origin` on unsafe requests, and (where a DOM
 * exists) non-HttpOnly cookies mirrored into `document.cookie`. Every request is recorded.
 */
export function sdkHarness(backendOptions: MockBackendOptions = {}, extraHandlers: HttpHandler[] = []) {
  const backend: MockBackend = createMockBackend({ passwordHashIterations: 1_000, controls: true, ...backendOptions })
  const jar = new Map<string, { value: string; httpOnly: boolean; path: string }>()
  const requests: SentRequest[] = []
  const clients: AuthClient[] = []

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const sameOrigin = url.origin === ORIGIN
    const headers = new Headers(request.headers)
    if (!['GET', 'HEAD'].includes(request.method)) headers.set('origin', ORIGIN)
    const sendCookies = request.credentials === 'include' || (request.credentials !== 'omit' && sameOrigin)
    if (sendCookies && sameOrigin) {
      const cookies = [...jar].filter(([, cookie]) => url.pathname.startsWith(cookie.path)).map(([name, cookie]) => `${name}=${cookie.value}`)
      if (cookies.length) headers.set('cookie', cookies.join('; '))
    }
    requests.push({ method: request.method, url: url.href, path: url.pathname, headers: Object.fromEntries(headers) })
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer()
    const outgoing = new Request(url, { method: request.method, headers, body, signal: request.signal })
    // Like a browser's fetch, reject as soon as the signal aborts, even while the server never
    // answers (a hanging handler): otherwise a client's timeout could not be observed (S27).
    const response =
      (await untilAborted(getResponse([...extraHandlers, ...backend.handlers], outgoing), request.signal)) ??
      new Response(JSON.stringify({ error: 'not_found' }), { status: 404, headers: { 'content-type': 'application/json' } })
    if (request.signal.aborted) throw new DOMException('aborted', 'AbortError')
    // `HttpResponse.error()` is a network error: a browser's fetch rejects with a TypeError.
    if (response.type === 'error') throw new TypeError('Failed to fetch')
    if (sameOrigin) for (const line of response.headers.getSetCookie()) store(line)
    return response
  }

  const store = (line: string) => {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
    const name = pair.slice(0, pair.indexOf('='))
    const value = pair.slice(pair.indexOf('=') + 1)
    const httpOnly = attributes.some((attribute) => /^httponly$/i.test(attribute))
    const path = attributes.find((attribute) => /^path=/i.test(attribute))?.slice(5) ?? '/'
    const deleted = value === '' || attributes.some((attribute) => /^max-age=0$/i.test(attribute))
    if (deleted) jar.delete(name)
    else jar.set(name, { value, httpOnly, path })
    if (typeof document !== 'undefined' && !httpOnly) {
      document.cookie = deleted ? `${name}=; Path=${path}; Max-Age=0` : `${name}=${value}; Path=${path}`
    }
  }

  return {
    backend,
    fetch,
    jar,
    requests,
    /** Requests to one path, e.g. `count('/api/auth/refresh')`. */
    count: (path: string) => requests.filter((request) => request.path === path).length,
    /** A client of this backend: `jwt()` unless another strategy is given, alone in its tab. */
    client(options: Partial<AuthClientOptions> = {}): AuthClient {
      const client = createAuthClient({ strategy: jwt(), baseURL: `${ORIGIN}/api`, fetch, crossTab: false, ...options })
      clients.push(client)
      return client
    },
    destroy: () => clients.forEach((client) => client.destroy()),
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new DOMException('aborted', 'AbortError'))
    if (signal.aborted) return abort()
    signal.addEventListener('abort', abort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

export const alice = { username: 'alice', password: 'wonderland' }
export const bob = { username: 'bob', password: 'builder-bob' }
