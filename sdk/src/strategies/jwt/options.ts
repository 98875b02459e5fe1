import { checkDurations } from '../../errors.ts'
import { jsonLogin } from '../../login/json.ts'
import type { LoginMethod } from '../../login/types.ts'
import { memoryStorage } from '../../storage/memory.ts'
import type { TokenStorage } from '../../storage/types.ts'
import type { CsrfOptions } from '../../transport/csrf.ts'
import type { RequestSignerFactory } from '../../transport/signer.ts'

export interface JwtOptions {
  /** Default `memoryStorage()`. The others, from `@authlens/sdk/storage`, emit a one-time `warning`. */
  storage?: TokenStorage
  /** How tokens are obtained: `jsonLogin()` (default), `customLogin({ ... })`. */
  login?: LoginMethod
  /** `cookie`: the server keeps the refresh token in an HttpOnly cookie. Default `body`. */
  refreshTokenTransport?: 'body' | 'cookie'
  /** Under `baseURL` unless absolute. Defaults `/auth/login`, `/auth/refresh`, `/auth/logout`. */
  endpoints?: { login?: string; refresh?: string; logout?: string }
  /** Refresh this long before `exp`; capped at half the token's lifetime. Default 30. */
  leewaySeconds?: number
  /** Refuse tokens (stored or received) from another issuer or for another audience. */
  issuer?: string
  audience?: string
  /** Double-submit CSRF for the cookie-borne refresh. Default `{ cookie: 'XSRF-TOKEN', header: 'X-XSRF-TOKEN' }`. */
  csrf?: CsrfOptions
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
  /** Sender-constrained tokens: `dpop()` from `@authlens/sdk/dpop` signs every token and API request (RFC 9449). */
  dpop?: RequestSignerFactory
}

export type ResolvedJwtOptions = ReturnType<typeof resolveJwtOptions>

export function resolveJwtOptions(options: JwtOptions) {
  const resolved = {
    ...options,
    storage: options.storage ?? memoryStorage(),
    login: options.login ?? jsonLogin(),
    cookieTransport: options.refreshTokenTransport === 'cookie',
    leewayMs: (options.leewaySeconds ?? 30) * 1000,
    retry: { attempts: 3, baseDelayMs: 300, maxDelayMs: 10_000, ...options.retry },
    lockTimeoutMs: options.lockTimeoutMs ?? 10_000,
  }
  checkDurations(resolved.leewayMs, resolved.lockTimeoutMs, resolved.retry.attempts)
  return resolved
}
