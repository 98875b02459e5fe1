import { createServerClock } from './clock.ts'
import { createDevtoolsBridge, type DevtoolsBridge } from './devtools.ts'
import { AuthError } from './errors.ts'
import { createEmitter, type AuthEventListener, type AuthEventName } from './events.ts'
import { resolveOptions, type AuthClientOptions } from './options.ts'
import { jsonProtocol } from './protocols/json.ts'
import { oauth2Protocol } from './protocols/oauth2.ts'
import type { Credentials } from './protocols/types.ts'
import { createCrossTab, crossTabSupported } from './refresh/cross-tab.ts'
import { createAuthStore, type AuthState } from './state.ts'
import { readCookie } from './storage/cookie.ts'
import { createSafeStorage } from './storage/safe-storage.ts'
import { jwtStrategy } from './strategies/jwt.ts'
import { sessionStrategy } from './strategies/session.ts'
import type { ClientContext, Prepared } from './strategies/types.ts'
import { withoutSignature } from './token.ts'
import { sendAuthRequest } from './transport/auth-request.ts'
import { createScope } from './transport/scope.ts'

/**
 * One client for JWT and session auth. Creating it touches no browser API until it runs in a
 * browser, so importing and creating it is safe under SSR and in Node (S19).
 */
export function createAuthClient(input: AuthClientOptions = {}) {
  const options = resolveOptions(input)
  const browser = typeof window !== 'undefined'
  const store = createAuthStore()
  const clock = createServerClock()
  const scope = createScope(options.baseURL)
  // Assigned below, once the strategy exists; events before that have nothing to report.
  let bridge: DevtoolsBridge | undefined
  const events = createEmitter((name, payload) => bridge?.event(name, payload))
  const key = `authlens:${options.clientId ?? options.baseURL}`
  const storage = createSafeStorage(options.storage, key, events)
  const crossTab =
    options.crossTab && browser && crossTabSupported()
      ? createCrossTab(key, options.lockTimeoutMs, () =>
          events.emit('warning', { code: 'lock_timeout', message: 'another tab held the refresh lock too long; refreshing without it' }),
        )
      : undefined

  const endpoint: ClientContext['endpoint'] = (name) => {
    const path = options.endpoints[name]
    return (options.rootEndpoints.includes(name) ? new URL(path, scope.resolve('/')) : scope.resolve(path)).href
  }
  const csrfHeaders = (): Record<string, string> => {
    const token = typeof document === 'undefined' ? null : readCookie(options.csrfCookie)
    return token ? { [options.csrfHeader]: token } : {}
  }
  // A cookie-borne sign-in always comes with the readable CSRF cookie. With the API on this origin,
  // its absence means there is nothing to restore: no probe, and no 4xx in the console on every
  // signed-out page load. Cross-origin, that cookie is not ours to read, so we must ask.
  const cookieHint = () =>
    typeof document === 'undefined' || scope.resolve('/').origin !== globalThis.location?.origin || options.csrfHeader in csrfHeaders()
  const send: ClientContext['send'] = (kind, url, init) =>
    sendAuthRequest(options.fetch, kind, url, init, options.timeoutMs, (response) => clock.learnFromResponse(response))
  const protocol =
    typeof options.protocol === 'object'
      ? options.protocol
      : (options.protocol === 'oauth2' ? oauth2Protocol : jsonProtocol)({
          url: endpoint,
          send,
          cookieTransport: options.cookieTransport,
          csrfHeaders,
          clientId: options.clientId,
        })

  const strategy = (options.strategy === 'session' ? sessionStrategy : jwtStrategy)({
    options,
    store,
    events,
    clock,
    scope,
    storage,
    crossTab,
    protocol,
    endpoint,
    send,
    csrfHeaders,
    cookieHint,
    setState: (state) => store.setState(state),
    report(error) {
      store.setState({ lastError: error })
      events.emit('error', { error })
    },
  })

  if (options.devtools && browser) {
    bridge = createDevtoolsBridge(() => {
      const { status, user, expiresAt } = store.getState()
      const token = strategy.accessToken()
      return {
        strategy: options.strategy,
        status,
        user,
        expiresAt,
        storage: storage.kind,
        clockOffsetMs: clock.offset,
        accessToken: token === null ? null : withoutSignature(token),
        hasRefreshToken: strategy.hasRefreshToken(),
        baseURL: options.baseURL,
      }
    })
  }
  const unsubscribeBridge = bridge && store.subscribe(bridge.state)
  bridge?.state()

  let destroyed = false
  if (browser && options.restore) store.setState({ status: 'authenticating' })
  const ready = browser && options.restore ? strategy.init().catch(() => undefined) : Promise.resolve()
  /** Attaches the credential and notes whose it is, for `settle`. */
  const prepare = async (url: URL, method: string, headers: Headers): Promise<Prepared> => ({
    ...(await strategy.prepare(url, method, headers)),
    user: store.getState().user?.sub,
  })
  /**
   * After an answer: true when the request should go out once more (a fresh credential exists).
   * Otherwise the answer stands, with two exceptions that reject: a 401 to the retry, since a
   * request is never sent a third time, so a server that keeps refusing cannot loop (S3); and an
   * answer for a user who is no longer the one signed in here (another signed in meanwhile, here
   * or in another tab), which would show one user's data to the other (S32).
   */
  const settle = async (url: string, answer: { status: number; headers: Headers }, prepared: Prepared, retried: boolean): Promise<boolean> => {
    if (!retried && (await strategy.recover(answer, prepared))) return true
    if (answer.status === 401 && prepared.inScope) {
      events.emit('unauthorized', { url, status: 401 })
      if (retried && prepared.token) throw new AuthError('unauthorized', 'the request was refused again after a refresh', 401)
    }
    const now = store.getState().user?.sub
    if (prepared.inScope && prepared.user !== undefined && now !== undefined && now !== prepared.user) {
      throw new AuthError('user_changed', 'another user signed in while the request was in flight')
    }
    return false
  }
  /** Sends a request with the credential attached (in scope only), retrying once after recovery. */
  const authFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const base = input instanceof Request ? new Request(input, init) : new Request(scope.resolve(String(input)), init)
    const send = async (): Promise<[Response, Prepared]> => {
      const request = base.clone()
      const prepared = await prepare(new URL(request.url), request.method, request.headers)
      // `request` already has the caller's credentials mode (from `init` or the input Request): copy
      // it (a costly Request) only when the strategy asks for another one, as the session one does.
      const { credentials } = prepared
      return [await options.fetch(credentials && credentials !== request.credentials ? new Request(request, { credentials }) : request), prepared]
    }
    const [response, prepared] = await send()
    if (!(await settle(base.url, response, prepared, false))) return response
    const [retried, again] = await send()
    await settle(base.url, retried, again, true)
    return retried
  }

  return {
    /** Resolves once the client knows whether someone is signed in (storage, other tabs, server). */
    ready,
    store,
    getState: (): AuthState => store.getState(),
    subscribe: (listener: (state: AuthState, previous: AuthState) => void) => store.subscribe(listener),
    on: <K extends AuthEventName>(name: K, listener: AuthEventListener<K>) => events.on(name, listener),
    login: async (credentials: Credentials): Promise<AuthState> => {
      await ready
      await strategy.login(credentials)
      return store.getState()
    },
    logout: (): Promise<void> => strategy.logout(),
    refresh: (): Promise<void> => strategy.refresh(),
    getAccessToken: (): Promise<string | null> => strategy.getAccessToken(),
    fetch: authFetch,
    /** For adapters (axios): attach the credential to an in-scope request. */
    prepare: (url: string, method: string, headers: Headers) => prepare(scope.resolve(url), method, headers),
    /** For adapters: after an answer, whether to send the request once more; rejects as `fetch` does. */
    settle,
    /** Releases timers, listeners and channels (S18). */
    destroy(): void {
      if (destroyed) return
      destroyed = true
      strategy.destroy()
      crossTab?.close()
      unsubscribeBridge?.()
      bridge?.destroy()
      // The emitter's tap posts through `bridge`: work still in flight (a refresh answering
      // later) must not reach the page's postMessage after destroy.
      bridge = undefined
      events.clear()
    },
  }
}

export type AuthClient = ReturnType<typeof createAuthClient>
