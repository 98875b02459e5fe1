import { AuthError, checkDurations } from './errors.ts'
import { createEmitter, type AuthEventName } from './events.ts'
import type { Credentials } from './login/types.ts'
import { createAuthStore, type AuthState, type AuthStore } from './state.ts'
import type { Inspection, Prepared, StrategyFactory } from './strategies/types.ts'
import { sendAuthRequest } from './transport/auth-request.ts'
import { createScope } from './transport/scope.ts'

export interface AuthClientOptions {
  /** How the server knows the user: `jwt(...)` or `session(...)`, imported from `@authlens/sdk`. */
  strategy: StrategyFactory
  /** Origin and path prefix the credential may be sent to; relative URLs resolve here. Default `/api`. */
  baseURL?: string
  /** Names the storage entry, cross-tab channel and lock; two clients of one origin need two. Default `baseURL`. */
  name?: string
  /** One refresh across tabs; login, logout and new tokens reach every tab. Default true. */
  crossTab?: boolean
  /** On creation, find out whether the user is signed in (storage, other tabs, server). Default true. */
  restore?: boolean
  /** Deadline for each auth request. Default 10,000 ms. */
  timeoutMs?: number
  /** The fetch to use. Default `globalThis.fetch` at call time. */
  fetch?: typeof fetch
  /** Opt-in features, such as `devtools()` from `@authlens/sdk/devtools`. */
  plugins?: Plugin[]
}

/** What a plugin may see of a client. */
export interface PluginContext {
  store: AuthStore
  baseURL: string
  inspect(): Inspection
  /** Every event, before the app's listeners; returns the unsubscribe. */
  tap(listener: (name: AuthEventName, payload: object) => void): () => void
}

/** A feature an app opts into; returns its teardown, run by `destroy()`. */
export type Plugin = (client: PluginContext) => () => void

/**
 * One client for JWT and session auth. The strategy, its storage and its login method are values
 * the app imports, so the bundle carries only those. Creating a client touches no browser API
 * until it runs in a browser: importing and creating it is safe under SSR and in Node (S19).
 */
export function createAuthClient(options: AuthClientOptions) {
  const { strategy: factory, baseURL = '/api', timeoutMs = 10_000, restore = true, plugins = [] } = options
  if (typeof factory !== 'function') throw new AuthError('invalid_options', 'strategy: jwt() or session()')
  checkDurations(timeoutMs)
  // Looked up at call time, so a fetch patched after creation (tests, polyfills) is the one used.
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  const browser = typeof window !== 'undefined'
  const store = createAuthStore()
  const scope = createScope(baseURL)
  const events = createEmitter()
  const setState = (state: Partial<AuthState>) => store.setState(state)

  const strategy = factory({
    key: `authlens:${options.name ?? baseURL}`,
    browser,
    crossTab: options.crossTab ?? true,
    store,
    events,
    scope,
    send: (kind, url, init, onResponse) => sendAuthRequest(fetchImpl, kind, url, init, timeoutMs, onResponse),
    setState,
    report(error) {
      setState({ lastError: error })
      events.emit('error', { error })
    },
  })

  // Plugins touch the page (postMessage): only where there is one.
  const teardowns = browser ? plugins.map((plugin) => plugin({ store, baseURL, inspect: strategy.inspect, tap: events.tap })) : []

  if (browser && restore) setState({ status: 'authenticating' })
  const ready = browser && restore ? strategy.init().catch(() => undefined) : Promise.resolve()
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
    // Only a 401 to an in-scope request can be recovered: every other answer skips the strategy.
    if (answer.status === 401 && prepared.inScope) {
      if (!retried && (await strategy.recover(answer, prepared))) return true
      events.emit('unauthorized', { url, status: 401 })
      if (retried && prepared.token) throw new AuthError('unauthorized', undefined, 401)
    }
    const now = store.getState().user?.sub
    if (prepared.inScope && prepared.user !== undefined && now !== undefined && now !== prepared.user) {
      throw new AuthError('user_changed')
    }
    return false
  }
  /**
   * Sends a request with the credential attached (in scope only), retrying once after recovery.
   * A URL and its init go out as they are, with the credential added to a copy of the headers:
   * building Request objects was most of the SDK's own cost per request. A Request input, or a
   * stream body, which can be read only once, is copied for each attempt instead.
   */
  const authFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request || init?.body instanceof ReadableStream ? new Request(input instanceof Request ? input : scope.resolve(String(input)), init) : undefined
    const url = request ? new URL(request.url) : scope.resolve(String(input))
    const send = async (): Promise<[Response, Prepared]> => {
      const copy = request?.clone()
      const headers = copy?.headers ?? new Headers(init?.headers)
      const prepared = await prepare(url, copy?.method ?? init?.method ?? 'GET', headers)
      return [await fetchImpl(copy ?? url.href, { ...(copy ? undefined : init), headers, ...(prepared.credentials && { credentials: prepared.credentials }) }), prepared]
    }
    let [response, prepared] = await send()
    if (await settle(url.href, response, prepared, false)) {
      ;[response, prepared] = await send()
      await settle(url.href, response, prepared, true)
    }
    return response
  }

  return {
    /** Resolves once the client knows whether someone is signed in (storage, other tabs, server). */
    ready,
    store,
    getState: store.getState,
    subscribe: store.subscribe,
    on: events.on,
    /** JSON login: with the credentials. OIDC: goes to the provider, with its options. */
    login: async (credentials?: Credentials): Promise<AuthState> => {
      await ready
      await strategy.login(credentials)
      return store.getState()
    },
    /** OIDC, on the page the provider sent the browser back to (default `location.href`): signs in, cleans the URL. */
    handleRedirectCallback: async (url?: string): Promise<{ appState?: unknown }> => {
      await ready
      // Resolved with tokens or rejected: a callback never leaves for the provider.
      return (await strategy.login(url, 'callback')) as { appState?: unknown }
    },
    logout: strategy.logout,
    refresh: strategy.refresh,
    getAccessToken: strategy.getAccessToken,
    fetch: authFetch,
    /** For adapters (axios): attach the credential to an in-scope request. */
    prepare: (url: string, method: string, headers: Headers) => prepare(scope.resolve(url), method, headers),
    /** For adapters: after an answer, whether to send the request once more; rejects as `fetch` does. */
    settle,
    /** Releases timers, listeners and channels (S18). */
    destroy(): void {
      strategy.destroy()
      for (const teardown of teardowns) teardown()
      // Work still in flight (a refresh answering later) must not reach a plugin after destroy.
      events.clear()
    },
  }
}

export type AuthClient = ReturnType<typeof createAuthClient>
