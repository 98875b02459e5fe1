import type { ScaleMode, ScalePhase as Phase } from '../../../demo-spa/src/features/lab/scale-results.ts'
import { parseServerTiming, type ServerTimingMetric } from '../../../demo-spa/src/lib/server-timing.ts'

export type { ScaleMode, Phase }

export interface Timing {
  phase: Phase
  ms: number
  ok: boolean
  /** What the instance said it spent (`Server-Timing`). */
  server: ServerTimingMetric[]
  /** For an unexpected answer: its status and body, to say what went wrong. */
  unexpected?: string
}

const accounts = [
  { username: 'alice', password: 'wonderland' },
  { username: 'bob', password: 'builder-bob' },
  { username: 'carol', password: 'carol-admin' },
]

const TIMEOUT_MS = 10_000

/**
 * The backend counts a sign-in as failed until its hash is checked, so that parallel guesses cannot
 * slip past its throttle (5 failures per account), and refuses a sixth at once: a load generator
 * signs in at most this many times at once per account.
 */
export const SIGN_INS_PER_ACCOUNT = 5

/** A form field of the provider's login page. */
const field = (html: string, name: string) => (new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '').replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))

/**
 * One virtual browser of the scale workload, speaking plain HTTP to the cluster's proxy the way
 * the SDK would: session mode with the cookie and the CSRF header, JWT modes with a bearer token
 * and the refresh token in the body, the BFF with its cookies (sign-in: the BFF, the provider's
 * page and form, the callback).
 */
export class ScaleClient {
  private headers: Record<string, string> = {}
  private refreshToken = ''
  private csrf = ''

  constructor(
    private readonly base: string,
    private readonly mode: ScaleMode,
    private readonly index: number,
    private readonly record: (timing: Timing) => void,
  ) {}

  /** Which of the demo accounts this client signs in as. */
  get account(): string {
    return accounts[this.index % accounts.length]!.username
  }

  async login(): Promise<void> {
    const account = accounts[this.index % accounts.length]!
    if (this.mode === 'bff') return this.loginThroughBff(account)
    const path = this.mode === 'session' ? '/api/session/login' : '/api/auth/login'
    const response = await this.send('login', 'POST', path, account, 200)
    if (this.mode === 'session') {
      const cookies = response.headers.getSetCookie().map((line) => line.split(';')[0]!)
      this.headers = { cookie: cookies.join('; ') }
      this.csrf = ((await response.json()) as { csrfToken: string }).csrfToken
    } else {
      const body = (await response.json()) as { accessToken: string; refreshToken: string }
      this.headers = { authorization: `Bearer ${body.accessToken}` }
      this.refreshToken = body.refreshToken
    }
  }

  async me(expected = 200): Promise<number> {
    const response = await this.send('me', 'GET', this.mode === 'bff' ? '/bff/api/me' : '/api/me', undefined, expected)
    await response.arrayBuffer()
    return response.status
  }

  /** Sessions slide on every request and have no refresh call (the BFF refreshes on its side); only the JWT modes refresh. */
  async refresh(): Promise<void> {
    if (this.mode === 'session' || this.mode === 'bff') return
    const response = await this.send('refresh', 'POST', '/api/auth/refresh', { refreshToken: this.refreshToken }, 200)
    const body = (await response.json()) as { accessToken: string; refreshToken: string }
    this.headers = { authorization: `Bearer ${body.accessToken}` }
    this.refreshToken = body.refreshToken
  }

  async logout(): Promise<void> {
    const cookieBorne = this.mode === 'session' || this.mode === 'bff'
    const path = this.mode === 'session' ? '/api/session/logout' : this.mode === 'bff' ? '/bff/logout' : '/api/auth/logout'
    const body = cookieBorne ? {} : { refreshToken: this.refreshToken }
    const extra: Record<string, string> = cookieBorne ? { 'x-xsrf-token': this.csrf } : {}
    await (await this.send('logout', 'POST', path, body, 200, extra)).arrayBuffer()
  }

  /** Four requests, as a browser makes them; the BFF's session cookie and its CSRF token are kept. */
  private async loginThroughBff(account: { username: string; password: string }): Promise<void> {
    const cookies = new Map<string, string>()
    const keep = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';')
        const [name = '', value = ''] = pair.split('=')
        if (value === '') cookies.delete(name)
        else cookies.set(name, value)
      }
      this.headers = { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
      return response
    }
    const path = (response: Response) => {
      const url = new URL(response.headers.get('location') ?? '/', this.base)
      return `${url.pathname}${url.search}`
    }
    const start = keep(await this.send('login', 'GET', '/bff/login?returnTo=%2F', undefined, 302))
    const page = keep(await this.send('login', 'GET', path(start), undefined, 200))
    const html = await page.text()
    const form = new URLSearchParams({ request: field(html, 'request'), csrf: field(html, 'csrf'), ...account })
    const signedIn = keep(await this.send('login', 'POST', '/oauth/login', form, 303))
    keep(await this.send('login', 'GET', path(signedIn), undefined, 302))
    this.csrf = cookies.get('BFF-XSRF-TOKEN') ?? ''
  }

  private async send(phase: Phase, method: string, path: string, body: unknown, expected: number, extra: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...extra }
    if (body !== undefined) {
      headers['content-type'] = body instanceof URLSearchParams ? 'application/x-www-form-urlencoded' : 'application/json'
      headers.origin = this.base
    }
    const start = performance.now()
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : body instanceof URLSearchParams ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'manual',
    })
    const ms = performance.now() - start
    const ok = response.status === expected
    const server = parseServerTiming(response.headers.get('server-timing'))
    this.record({ phase, ms, ok, server, ...(ok ? {} : { unexpected: `${method} ${path} → ${response.status} ${await response.clone().text()}` }) })
    return response
  }
}
