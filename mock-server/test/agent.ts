import { getResponse } from 'msw'
import { createMockBackend, type MockBackend } from '../src/backend.ts'
import type { MockBackendOptions } from '../src/config.ts'
import { startMockHttpServer } from '../src/runtimes/http.ts'

/** Fast settings for tests: cheap password hashing, everything else as in production. */
export const testOptions: MockBackendOptions = { passwordHashIterations: 1_000, controls: true }

export interface RequestOptions {
  json?: unknown
  form?: Record<string, string>
  body?: BodyInit
  headers?: Record<string, string>
  bearer?: string
  /** Send as a script on another site would: this Origin, and `Sec-Fetch-Site: cross-site`. */
  from?: string
  /** Leave out the Origin a browser adds to unsafe requests. */
  noOrigin?: boolean
  /** Do not send the cookies the agent holds. */
  noCookies?: boolean
}

export interface AgentResponse {
  status: number
  headers: Headers
  body: any
  setCookies: string[]
}

export type Send = (request: Request) => Promise<Response>

/**
 * A browser-like client: keeps cookies from `Set-Cookie` (honouring deletion), sends them back,
 * and adds `Origin` to unsafe requests as browsers do. `send` is either MSW's handlers in this
 * process or a real HTTP server, so the same tests run against both.
 */
export class Agent {
  constructor(
    readonly backend: MockBackend,
    private readonly send: Send,
    readonly origin = 'http://localhost',
    /** Agents given one jar act as one browser. */
    readonly cookies = new Map<string, string>(),
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<AgentResponse> {
    const headers = new Headers(options.headers)
    let body = options.body
    if (options.json !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(options.json)
    }
    if (options.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded')
      body = new URLSearchParams(options.form).toString()
    }
    if (options.bearer) headers.set('authorization', `Bearer ${options.bearer}`)
    if (options.from) {
      headers.set('origin', options.from)
      headers.set('sec-fetch-site', 'cross-site')
    } else if (!options.noOrigin && !['GET', 'HEAD'].includes(method) && !headers.has('origin')) {
      headers.set('origin', this.origin)
    }
    if (!options.noCookies && this.cookies.size > 0 && !headers.has('cookie')) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '))
    }
    const response = await this.send(new Request(new URL(path, this.origin), { method, headers, body, duplex: 'half' } as RequestInit))
    const setCookies = response.headers.getSetCookie()
    for (const line of setCookies) this.store(line)
    const text = await response.text()
    let parsed: unknown = null
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    return { status: response.status, headers: response.headers, body: parsed, setCookies }
  }

  /** The XSRF token a page script would read from `document.cookie`. */
  get csrfToken(): string | undefined {
    return this.cookies.get('XSRF-TOKEN')
  }

  async loginJwt(username = 'alice', password = 'wonderland', transport: 'body' | 'cookie' = 'body') {
    const response = await this.request('POST', '/api/auth/login', { json: { username, password, refreshTokenTransport: transport } })
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`)
    return response.body as { accessToken: string; tokenType: string; refreshToken?: string; expiresIn: number; csrfToken?: string }
  }

  async loginSession(username = 'alice', password = 'wonderland') {
    const response = await this.request('POST', '/api/session/login', { json: { username, password } })
    if (response.status !== 200) throw new Error(`session login failed: ${response.status} ${JSON.stringify(response.body)}`)
    return response
  }

  private store(line: string): void {
    const [pair = '', ...attributes] = line.split(';')
    const index = pair.indexOf('=')
    const name = pair.slice(0, index).trim()
    const value = pair.slice(index + 1).trim()
    const deleted = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute))
    if (deleted || value === '') this.cookies.delete(name)
    else this.cookies.set(name, value)
  }
}

/** MSW's handlers resolved in this process, with no global interception. */
export function inProcess(backend: MockBackend): Send {
  return async (request) => {
    const response = await getResponse(backend.handlers, request)
    return response ?? new Response(JSON.stringify({ error: 'not_found' }), { status: 404 })
  }
}

export function inProcessAgent(options: MockBackendOptions = {}, origin?: string): Agent {
  const backend = createMockBackend({ ...testOptions, ...options })
  return new Agent(backend, inProcess(backend), origin)
}

/** The same backend behind a real HTTP server on loopback. */
export async function httpAgent(options: Parameters<typeof startMockHttpServer>[0] = {}) {
  const running = await startMockHttpServer({ ...testOptions, ...options })
  const base = new URL(running.url)
  const send: Send = (request) => {
    const url = new URL(request.url)
    url.protocol = base.protocol
    url.host = base.host
    return fetch(new Request(url, request), { redirect: 'manual' })
  }
  return { agent: new Agent(running.backend, send, running.url), close: running.close }
}
