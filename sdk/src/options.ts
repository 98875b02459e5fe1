import { AuthError } from './errors.ts'
import type { CustomProtocol } from './protocols/types.ts'
import type { StorageOption } from './storage/types.ts'

export interface AuthClientOptions {
  /** `jwt`: a bearer token the client carries. `session`: an HttpOnly cookie the server checks. */
  strategy?: 'jwt' | 'session'
  /** Origin and path prefix the credential may be sent to; relative URLs resolve here. Default `/api`. */
  baseURL?: string
  /** Default `memory`. The others are opt-in and emit a one-time `warning` event. */
  storage?: StorageOption
  /** `cookie`: the server keeps the refresh token in an HttpOnly cookie. Default `body`. */
  refreshTokenTransport?: 'body' | 'cookie'
  /**
   * URLs of the auth endpoints, under `baseURL` unless absolute. Defaults: `/auth/login`,
   * `/auth/refresh`, `/auth/logout`, `/session` (jwt); `/session/login`, `/session/logout`,
   * `/session` (session); with `oauth2`, `/oauth/token` and `/oauth/revoke` at the origin's root.
   */
  endpoints?: { login?: string; refresh?: string; logout?: string; session?: string }
  /** Default `json` (the mock server); `oauth2` for an RFC 6749 token endpoint; or your own. */
  protocol?: 'json' | 'oauth2' | CustomProtocol
  /** Refresh this long before `exp`; capped at half the token's lifetime. Default 30. */
  leewaySeconds?: number
  /** One refresh across tabs; login, logout and new tokens reach every tab. Default true. */
  crossTab?: boolean
  csrf?: { cookie?: string; header?: string }
  /** Post state and events for AuthLens DevTools (tokens without signature). Default false. */
  devtools?: boolean
  /** Refuse tokens (stored or received) from another issuer or for another audience. */
  issuer?: string
  audience?: string
  /** Sent as `client_id` by the `oauth2` protocol; part of the storage key. */
  clientId?: string
  /** Deadline for each auth request. Default 10,000 ms. */
  timeoutMs?: number
  /** Retries of a refresh that failed for a network or server reason. Default 3, from 300 ms. */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number }
  /** How long a tab waits for another tab's refresh lock. Default 10,000 ms. */
  lockTimeoutMs?: number
  /**
   * Which 401s trigger a refresh: `invalid_token` (default) only those whose
   * `WWW-Authenticate: Bearer error="invalid_token"` says the token was refused (RFC 6750 §3.1);
   * `any` every 401 to a request that carried a token. A 403 never does.
   */
  refreshOn401?: 'invalid_token' | 'any'
  /** On creation, find out whether the user is signed in (storage, other tabs, server). Default true. */
  restore?: boolean
  /** The fetch to use. Default `globalThis.fetch` at call time. */
  fetch?: typeof fetch
}

export type ResolvedOptions = ReturnType<typeof resolveOptions>

export function resolveOptions(options: AuthClientOptions) {
  const strategy = options.strategy ?? 'jwt'
  const jwt = strategy === 'jwt'
  if (!jwt && strategy !== 'session') throw new AuthError('invalid_options', 'unknown strategy')
  const oauth2 = options.protocol === 'oauth2'
  const resolved = {
    ...options,
    strategy,
    baseURL: options.baseURL ?? '/api',
    storage: options.storage ?? 'memory',
    cookieTransport: options.refreshTokenTransport === 'cookie',
    endpoints: {
      login: oauth2 ? '/oauth/token' : jwt ? '/auth/login' : '/session/login',
      refresh: oauth2 ? '/oauth/token' : jwt ? '/auth/refresh' : '/session',
      logout: oauth2 ? '/oauth/revoke' : jwt ? '/auth/logout' : '/session/logout',
      session: '/session',
      ...options.endpoints,
    },
    /** Endpoints at the origin's root rather than under `baseURL`: the oauth2 defaults. */
    rootEndpoints: oauth2 ? ['login', 'refresh', 'logout'].filter((name) => !options.endpoints?.[name as 'login']) : [],
    leewayMs: (options.leewaySeconds ?? 30) * 1000,
    crossTab: options.crossTab ?? true,
    csrfCookie: options.csrf?.cookie ?? 'XSRF-TOKEN',
    csrfHeader: options.csrf?.header ?? 'X-XSRF-TOKEN',
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: { attempts: 3, baseDelayMs: 300, maxDelayMs: 10_000, ...options.retry },
    lockTimeoutMs: options.lockTimeoutMs ?? 10_000,
    refreshOn401: options.refreshOn401 ?? 'invalid_token',
    restore: options.restore ?? true,
    fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)),
  }
  for (const value of [resolved.leewayMs, resolved.timeoutMs, resolved.lockTimeoutMs, resolved.retry.attempts]) {
    if (!(value >= 0 && value < Infinity)) throw new AuthError('invalid_options', 'durations and counts must be non-negative numbers')
  }
  return resolved
}
