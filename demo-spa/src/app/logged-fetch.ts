import { describeMetric, parseServerTiming } from '../lib/server-timing.ts'
import { addLog, type Tone } from './log-store.ts'

type Fetch = typeof fetch

interface Described {
  method: string
  path: string
  sent: string[]
}

/** What a request carries, read without consuming its body (a Request's body can be read once). */
function describe(input: RequestInfo | URL, init: RequestInit | undefined): Described {
  const request = input instanceof Request ? input : undefined
  const url = new URL(request ? request.url : String(input), location.href)
  const headers = new Headers(request?.headers)
  new Headers(init?.headers).forEach((value, name) => headers.set(name, value))
  const sent: string[] = []
  const scheme = /^(Bearer|DPoP) /.exec(headers.get('authorization') ?? '')?.[1]
  if (scheme) sent.push(`Authorization: ${scheme}`)
  if (headers.has('dpop')) sent.push('DPoP proof')
  if (headers.has('x-xsrf-token')) sent.push('CSRF header')
  if ((init?.credentials ?? request?.credentials) === 'include') sent.push('cookies')
  return { method: (init?.method ?? request?.method ?? 'GET').toUpperCase(), path: `${url.pathname}${url.search}`, sent }
}

/** The error code and reason of a failed JSON answer, e.g. `invalid_token (expired)`. */
async function failureOf(response: Response): Promise<string> {
  try {
    const body: unknown = await response.clone().json()
    if (body && typeof body === 'object') {
      const { error, reason } = body as { error?: unknown; reason?: unknown }
      if (typeof error === 'string') return typeof reason === 'string' ? `${error} (${reason})` : error
    }
  } catch {
    // Not JSON: the status says enough.
  }
  return response.statusText
}

const toneOf = (status: number): Tone => (status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad')

/**
 * The fetch the demo hands to the SDK (its `fetch` option) and to axios (`env.fetch`): the real
 * one, plus a line in the event log per request, so a person sees every 401, refresh and retry,
 * and beside the time the page waited, what the server says it spent (its `Server-Timing`).
 */
export function createLoggedFetch(base: Fetch = (...args) => globalThis.fetch(...args)): Fetch {
  return async (input, init) => {
    const { method, path, sent } = describe(input, init)
    const started = performance.now()
    const via = sent.length ? ` · sent ${sent.join(' + ')}` : ''
    try {
      const response = await base(input, init)
      const ms = Math.round(performance.now() - started)
      const why = response.ok ? '' : ` · ${await failureOf(response)}`
      const server = parseServerTiming(response.headers.get('server-timing')).map(describeMetric)
      const spent = server.length ? ` · server: ${server.join(', ')}` : ''
      addLog({ source: 'http', title: `${method} ${path} ${response.status}`, detail: `${ms} ms${spent}${via}${why}`, tone: toneOf(response.status), status: response.status })
      return response
    } catch (error) {
      const aborted = error instanceof DOMException && error.name === 'AbortError'
      addLog({ source: 'http', title: `${method} ${path} failed`, detail: aborted ? 'aborted (timeout)' : 'network error', tone: 'bad' })
      throw error
    }
  }
}
