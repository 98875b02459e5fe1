import type { DevtoolsMessage } from '@authlens/sdk/devtools-protocol'
import type { ExchangeObservation } from '../core/observations.ts'
import { messageComposer } from '../transport/compose.ts'
import { createFakeTransport, type FakeTransport } from './fake-transport.ts'

/**
 * `vite dev` only: the panel in a normal tab, fed a scripted session (sign-in with the token in
 * localStorage, an HttpOnly session cookie, a partitioned cookie, a refresh every 20 s) so the
 * views can be worked on with HMR and no browser extension loaded. Tokens are unsigned fakes.
 */
const b64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const makeJwt = (claims: object, header: object) => `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.ZGVtby1zaWduYXR1cmU`
const headerList = (record: Record<string, string> = {}) => Object.entries(record).map(([name, value]) => ({ name, value }))

function exchange(e: { at: number; sentAt: number; method?: string; url: string; requestHeaders?: Record<string, string>; responseHeaders?: Record<string, string>; responseBody?: string }): ExchangeObservation {
  return {
    kind: 'exchange',
    at: e.at,
    sentAt: e.sentAt,
    request: { method: e.method ?? 'GET', url: e.url, headers: headerList(e.requestHeaders) },
    response: { status: 200, headers: headerList(e.responseHeaders), ...(e.responseBody ? { body: e.responseBody } : {}) },
  }
}

export function createDemoTransport(): FakeTransport {
  const transport = createFakeTransport(1)
  const worker = messageComposer('worker', 'demo')
  const origin = 'https://app.example.test'
  const tabId = transport.tabId
  const issue = (n: number) => {
    const iat = Math.floor(Date.now() / 1000)
    return makeJwt(
      { iss: 'https://auth.example.test', aud: 'authlens-api', sub: 'u_alice', name: 'Alice Liddell', email: 'alice@example.test', iat, nbf: iat, exp: iat + 300, jti: `demo-${n}` },
      { alg: 'ES256', typ: 'at+jwt', kid: 'demo-key' },
    )
  }
  const sdkState = (token: string): DevtoolsMessage => ({
    source: 'authlens-sdk',
    version: 1,
    id: `demo-state-${Date.now()}`,
    type: 'state',
    at: Date.now(),
    state: { strategy: 'jwt', status: 'authenticated', storage: 'localStorage', user: { sub: 'u_alice' }, expiresAt: Date.now() + 300_000, clockOffsetMs: 0, accessToken: token.replace(/[^.]+$/, ''), hasRefreshToken: true, baseURL: '/api' },
  })
  const signIn = (n: number) => {
    const token = issue(n)
    const at = Date.now()
    const date = { Date: new Date(at).toUTCString(), 'Content-Type': 'application/json' }
    transport.exchange(exchange({ at, sentAt: at - 40, method: 'POST', url: `${origin}/api/auth/${n === 1 ? 'login' : 'refresh'}`, responseHeaders: date, responseBody: JSON.stringify({ accessToken: token, refreshToken: `rt_${n}_${'x'.repeat(40)}` }) }))
    transport.worker(worker({ type: 'page', tabId, message: { source: 'authlens-content', version: 1, id: `demo-s-${n}`, type: 'storage-changed', url: `${origin}/`, entry: { area: 'localStorage', key: 'authlens:/api', value: JSON.stringify({ accessToken: token }), size: token.length + 20 }, removed: false } }))
    transport.worker(worker({ type: 'page', tabId, message: { source: 'authlens-content', version: 1, id: `demo-sdk-${n}`, type: 'sdk', message: sdkState(token) } }))
    transport.exchange(exchange({ at: at + 50, sentAt: at + 20, url: `${origin}/api/me`, requestHeaders: { Authorization: `Bearer ${token}` }, responseHeaders: date }))
  }
  const start = transport.start.bind(transport)
  transport.start = (sink) => {
    const stop = start(sink)
    transport.worker(worker({ type: 'snapshot', tabId, url: `${origin}/`, storage: [], sdk: [] }))
    transport.worker(
      worker({
        type: 'cookies',
        tabId,
        url: `${origin}/`,
        cookies: [
          { name: '__Host-sid', value: 's'.repeat(43), domain: 'app.example.test', hostOnly: true, path: '/', secure: true, httpOnly: true, sameSite: 'lax', session: true },
          { name: 'XSRF-TOKEN', value: 'c'.repeat(32), domain: 'app.example.test', hostOnly: true, path: '/', secure: true, httpOnly: false, sameSite: 'strict', session: true },
          { name: 'widget_pref', value: 'compact', domain: 'app.example.test', path: '/', secure: true, httpOnly: false, sameSite: 'no_restriction', session: false, expirationDate: Date.now() / 1000 + 86_400, partitionKey: { topLevelSite: 'https://news.example' } },
        ],
      }),
    )
    let n = 1
    signIn(n)
    const timer = setInterval(() => signIn(++n), 20_000)
    return () => {
      clearInterval(timer)
      stop()
    }
  }
  return transport
}
