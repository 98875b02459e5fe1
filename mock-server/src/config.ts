import { resolveBff, type BffOptions, type ResolvedBff } from './domain/bff/config.ts'
import { ConfigurationError } from './domain/errors.ts'
import { ClientRegistry, type OidcClientConfig } from './domain/oidc/clients.ts'
import { assertIssuer } from './domain/urls.ts'
import { assertStrongHmacSecret, type SigningAlgorithm } from './domain/signing-keys.ts'
import { demoUsers, type SeedUser } from './domain/users.ts'
import type { AuthStateStore } from './store/types.ts'

export interface CookieNames {
  /** Session id; served as `__Host-<name>` on secure origins (https and loopback). */
  session: string
  /** Double-submit CSRF token, readable by scripts so they can echo it in `X-XSRF-TOKEN`. */
  csrf: string
  /** HttpOnly refresh token for `refreshTokenTransport: 'cookie'`; `__Secure-<name>` on secure origins. */
  refresh: string
  /** The OpenID Provider's own sign-in (SSO); `__Host-<name>` on secure origins. */
  providerSession: string
  /** The backend-for-frontend's session; `__Host-<name>` on secure origins. */
  bffSession: string
  /** The BFF's double-submit CSRF token, readable by scripts; apart from `csrf`, so the two modes never overwrite each other. */
  bffCsrf: string
}

/** DPoP (RFC 9449) at the token endpoints and resources. */
export interface DpopOptions {
  /** Demand server nonces (`use_dpop_nonce`, RFC 9449 §8, §9). Default false; `/__mock/dpop-nonce` switches it. */
  nonce?: boolean
  /** How far a proof's `iat` may be from the server's clock, either way (plus `clockToleranceSeconds`). Default 60 s. */
  proofWindowSeconds?: number
  /** A new nonce every this many seconds; the previous one stays valid as long again. Default 60 s. */
  nonceRotationSeconds?: number
}

export interface MockBackendOptions {
  /** JWT signing algorithm. Default `ES256`. */
  algorithm?: SigningAlgorithm
  /** HS256 secret, 32+ random bytes; generated when omitted. Weak secrets are refused (M25). */
  hmacSecret?: string | Uint8Array
  /**
   * `iss` of every token. With `oidcClients` it is also the OpenID Provider's issuer identifier,
   * so it must be the URL discovery is served under: https (http on loopback), ending with the
   * `basePath`, e.g. `http://127.0.0.1:5173`. Can be set once the port is known: `setIssuer`.
   */
  issuer?: string
  audience?: string
  /** Access token lifetime. Default 300 s. */
  accessTokenTtlSeconds?: number
  /** Absolute lifetime of a refresh-token family, fixed at login. Default 8 h. */
  refreshTokenTtlSeconds?: number
  /** A refresh token unused for this long expires. Default 1 h. */
  refreshIdleTtlSeconds?: number
  /** Replays the last rotation for this long when its refresh token is presented again. Default 0 (strict). */
  refreshReuseGraceSeconds?: number
  /** Default 15 min. */
  sessionIdleTimeoutSeconds?: number
  /** Default 8 h. */
  sessionAbsoluteTimeoutSeconds?: number
  /** Allowed clock difference when checking `exp`, `nbf`, `iat`. Default 5 s. */
  clockToleranceSeconds?: number
  /** The clock (ms since epoch). Default `Date.now`. */
  now?: () => number
  cookieNames?: Partial<CookieNames>
  /** Prefix for every route, e.g. `/mock`. Default none. */
  basePath?: string
  /** Restricts handlers to this origin (the browser runtime passes its own). Default: any origin. */
  origin?: string
  /** Enables the `/__mock/*` control routes. Default false. */
  controls?: boolean
  /** Origins besides the server's own that may send credentialed requests (CORS and CSRF). */
  trustedOrigins?: string[]
  users?: SeedUser[]
  /** PBKDF2-SHA256 iterations. Default 100,000; tests lower it for speed. */
  passwordHashIterations?: number
  loginThrottle?: { maxFailures: number; windowSeconds: number }
  /** Put an access token's `jti` on the revocation list at logout (M10). Default true. */
  revokeAccessTokenOnLogout?: boolean
  /**
   * Keep the access-token revocation list at all. Default true. `false` makes access tokens purely
   * stateless, as the scale lab compares: no store lookup per request, nothing ever listed, and a
   * signed-out or revoked access token is accepted until its `exp`.
   */
  accessTokenDenylist?: boolean
  /**
   * Where sessions, refresh families and revocations live. Default: an embedded store in this
   * process. Instances that share a store (Redis, `@authlens/mock-server/redis`) share sign-ins.
   */
  store?: AuthStateStore
  /**
   * Relying parties registered with the OpenID Provider. Any client turns the provider on
   * (discovery, /oauth/authorize, the login page, ID tokens, /oauth/userinfo, end_session).
   */
  oidcClients?: OidcClientConfig[]
  dpop?: DpopOptions
  /**
   * A backend-for-frontend (`/bff/*`): a confidential client of this backend's own provider that
   * keeps the tokens server-side and gives the browser a session cookie. `true` takes every default.
   */
  bff?: boolean | BffOptions
  /** Largest accepted request body. Default 16 KiB. */
  maxBodyBytes?: number
  /**
   * `http` (default): cookies travel as real `Set-Cookie` headers. `document`: the MSW browser
   * worker writes them through `document.cookie`, where `HttpOnly` cannot exist.
   */
  cookieJar?: 'http' | 'document'
}

export type ResolvedOptions = Required<Omit<MockBackendOptions, 'hmacSecret' | 'now' | 'origin' | 'cookieNames' | 'store' | 'oidcClients' | 'dpop' | 'bff'>> & {
  dpop: Required<DpopOptions>
  bff: ResolvedBff | undefined
  hmacSecret: Uint8Array | undefined
  oidcClients: ClientRegistry
  now: () => number
  origin: string | undefined
  cookieNames: CookieNames
}

const durations = [
  'accessTokenTtlSeconds',
  'refreshTokenTtlSeconds',
  'refreshIdleTtlSeconds',
  'sessionIdleTimeoutSeconds',
  'sessionAbsoluteTimeoutSeconds',
] as const

export function resolveOptions(options: MockBackendOptions = {}): ResolvedOptions {
  const algorithm = options.algorithm ?? 'ES256'
  if (algorithm !== 'HS256' && algorithm !== 'ES256') {
    throw new ConfigurationError('invalid_option', `algorithm must be "HS256" or "ES256", got ${String(algorithm)}`)
  }
  const issuer = options.issuer ?? 'https://auth.authlens.test'
  const bff = options.bff ? resolveBff(options.bff === true ? {} : options.bff, issuer) : undefined
  const resolved: ResolvedOptions = {
    algorithm,
    hmacSecret: options.hmacSecret === undefined ? undefined : assertStrongHmacSecret(options.hmacSecret),
    issuer,
    audience: options.audience ?? 'authlens-api',
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 8 * 3600,
    refreshIdleTtlSeconds: options.refreshIdleTtlSeconds ?? 3600,
    refreshReuseGraceSeconds: options.refreshReuseGraceSeconds ?? 0,
    sessionIdleTimeoutSeconds: options.sessionIdleTimeoutSeconds ?? 15 * 60,
    sessionAbsoluteTimeoutSeconds: options.sessionAbsoluteTimeoutSeconds ?? 8 * 3600,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 5,
    now: options.now ?? Date.now,
    cookieNames: { session: 'sid', csrf: 'XSRF-TOKEN', refresh: 'rt', providerSession: 'op', bffSession: 'bff', bffCsrf: 'BFF-XSRF-TOKEN', ...options.cookieNames },
    basePath: (options.basePath ?? '').replace(/\/+$/, ''),
    origin: options.origin,
    controls: options.controls ?? false,
    trustedOrigins: options.trustedOrigins ?? [],
    users: options.users ?? demoUsers,
    passwordHashIterations: options.passwordHashIterations ?? 100_000,
    loginThrottle: options.loginThrottle ?? { maxFailures: 5, windowSeconds: 300 },
    revokeAccessTokenOnLogout: options.revokeAccessTokenOnLogout ?? true,
    accessTokenDenylist: options.accessTokenDenylist ?? true,
    // The BFF is registered like any confidential client: the provider treats it as it would a stranger.
    oidcClients: new ClientRegistry([...(options.oidcClients ?? []), ...(bff ? [bff.registration] : [])]),
    bff,
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024,
    dpop: { nonce: options.dpop?.nonce ?? false, proofWindowSeconds: options.dpop?.proofWindowSeconds ?? 60, nonceRotationSeconds: options.dpop?.nonceRotationSeconds ?? 60 },
    cookieJar: options.cookieJar ?? 'http',
  }
  for (const name of durations) assertPositiveInteger(name, resolved[name])
  assertPositiveInteger('passwordHashIterations', resolved.passwordHashIterations)
  assertPositiveInteger('maxBodyBytes', resolved.maxBodyBytes)
  if (!(resolved.clockToleranceSeconds >= 0 && resolved.clockToleranceSeconds <= 300)) {
    throw new ConfigurationError('invalid_option', 'clockToleranceSeconds must be between 0 and 300')
  }
  if (!(resolved.refreshReuseGraceSeconds >= 0 && resolved.refreshReuseGraceSeconds <= 60)) {
    throw new ConfigurationError('invalid_option', 'refreshReuseGraceSeconds must be between 0 and 60')
  }
  assertIntegerIn('dpop.proofWindowSeconds', resolved.dpop.proofWindowSeconds, 1, 300)
  assertIntegerIn('dpop.nonceRotationSeconds', resolved.dpop.nonceRotationSeconds, 1, 3600)
  if (resolved.basePath !== '' && !resolved.basePath.startsWith('/')) {
    throw new ConfigurationError('invalid_option', 'basePath must start with "/"')
  }
  if (resolved.oidcClients.size > 0) assertIssuer(resolved.issuer, resolved.basePath)
  return resolved
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError('invalid_option', `${name} must be a positive integer, got ${value}`)
  }
}

function assertIntegerIn(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError('invalid_option', `${name} must be an integer from ${min} to ${max}, got ${value}`)
  }
}
