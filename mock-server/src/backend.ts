import { SignJWT, type JWTPayload, type JWSHeaderParameters } from 'jose'
import type { HttpHandler } from 'msw'
import { resolveOptions, type MockBackendOptions, type ResolvedOptions } from './config.ts'
import { AccessTokens } from './domain/access-tokens.ts'
import { Bff } from './domain/bff/bff.ts'
import { BffLogins } from './domain/bff/logins.ts'
import { ProviderClient } from './domain/bff/provider-client.ts'
import { BffRefresh } from './domain/bff/refresh.ts'
import { BffSessions } from './domain/bff/sessions.ts'
import { createClock, type Clock } from './domain/clock.ts'
import { DpopProofs } from './domain/dpop.ts'
import { DpopNonces } from './domain/dpop-nonces.ts'
import { ConfigurationError } from './domain/errors.ts'
import { createFaults, type CsrfDefences, type RefreshFailure } from './domain/faults.ts'
import { Notes } from './domain/notes.ts'
import { AuthorizationCodes } from './domain/oidc/codes.ts'
import { ProviderSessions } from './domain/oidc/provider-sessions.ts'
import { RefreshFamilies } from './domain/refresh-families.ts'
import { RevocationList } from './domain/revocation-list.ts'
import { SessionStore } from './domain/sessions.ts'
import { createSigningKey, type SigningKey } from './domain/signing-keys.ts'
import { createStats, type Stats } from './domain/stats.ts'
import { assertIssuer } from './domain/urls.ts'
import { UserDirectory } from './domain/users.ts'
import { apiRoutes } from './handlers/api-routes.ts'
import { bffRoutes } from './handlers/bff-routes.ts'
import type { BackendParts } from './handlers/context.ts'
import { controlRoutes } from './handlers/control-routes.ts'
import { discoveryRoutes, OIDC_PATHS } from './handlers/discovery-routes.ts'
import { revokeUser } from './handlers/grants.ts'
import { jwtRoutes } from './handlers/jwt-routes.ts'
import { oauthRoutes } from './handlers/oauth-routes.ts'
import { oidcRoutes } from './handlers/oidc-routes.ts'
import { toHandlers } from './handlers/route.ts'
import { sessionRoutes } from './handlers/session-routes.ts'
import { createMemoryStore } from './store/memory.ts'
import { mapAwaitable } from './domain/awaitable.ts'
import type { AuthStateStore } from './store/types.ts'

export interface BackendSnapshot extends Stats {
  liveSessions: number
  liveRefreshFamilies: number
  revokedAccessTokens: number
  /** Backend-for-frontend sessions stored (0 without the `bff` option). */
  liveBffSessions: number
  clockOffsetSeconds: number
  latencyMs: number
  pendingRefreshFailures: number
  csrfDefences: CsrfDefences
  revokeAccessTokenOnLogout: boolean
  /** Whether DPoP proofs must carry a server nonce (`use_dpop_nonce`). */
  dpopNonceRequired: boolean
  /** `memory` (embedded) or `redis` (shared by every instance). */
  store: AuthStateStore['kind']
  /** Commands this instance sent to the store; each is one round trip (no pipelining). */
  storeRoundTrips: number
}

export interface MockBackend {
  /** MSW request handlers; pass them to `setupServer`, `setupWorker` or the HTTP runtime. */
  readonly handlers: HttpHandler[]
  /** Resolves once users are hashed and keys generated; handlers wait for it on their own. */
  readonly ready: Promise<void>
  readonly options: Readonly<ResolvedOptions>
  readonly clock: Clock
  /** Counters and live state, read at once: only with the embedded store (use `readSnapshot` otherwise). */
  snapshot(): BackendSnapshot
  /** The same, from any store. */
  readSnapshot(): Promise<BackendSnapshot>
  /**
   * Forgets sessions, refresh families, notes, revocations, faults, counters and clock offset. With
   * the embedded store all is forgotten before this returns; a shared store needs the promise.
   */
  reset(): Promise<void>
  setLatency(ms: number): void
  failNextRefreshes(count: number, mode?: RefreshFailure): void
  setClockOffset(seconds: number): void
  revokeUser(username: string): Promise<void>
  /**
   * Sets the issuer once the server's address is known (a dev server on a port picked at start).
   * With `oidcClients` it must be where discovery is served; a `ConfigurationError` otherwise, and
   * with `bff`, whose registration follows the issuer given at creation (use `issuerFromServer`).
   * Call it before serving: tokens issued earlier keep the old `iss`, and are refused.
   */
  setIssuer(issuer: string): void
  /**
   * Signs arbitrary claims with the server's own key: for tests that need a validly signed token
   * with wrong claims (issuer, audience, expiry). A mock-only capability.
   */
  signToken(payload: JWTPayload, header?: JWSHeaderParameters): Promise<string>
}

/**
 * A fresh, independent auth backend: its own users, keys, sessions, refresh-token families,
 * revocation list, clock, faults and counters. Throws a `ConfigurationError` for unsafe options.
 */
export function createMockBackend(input: MockBackendOptions = {}): MockBackend {
  const options = resolveOptions(input)
  const clock = createClock(options.now)
  const keyPromise = createSigningKey(options.algorithm, options.hmacSecret)
  const signingKey = (): Promise<SigningKey> => keyPromise
  const users = new UserDirectory({ iterations: options.passwordHashIterations, throttle: options.loginThrottle, clock })

  const store = input.store ?? createMemoryStore(() => clock.now())
  const dpopNonces = new DpopNonces({ clock, rotationSeconds: options.dpop.nonceRotationSeconds, secret: options.hmacSecret })

  // The BFF calls its provider over HTTP, at the issuer, like any confidential client would.
  const endpoint = (path: string) => `${options.issuer}${path}`
  const bffFor = (config: NonNullable<typeof options.bff>, stats: Stats) => {
    const provider = new ProviderClient({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      endpoints: () => ({ token: endpoint(OIDC_PATHS.token), revoke: endpoint(OIDC_PATHS.revoke) }),
      now: () => clock.now(),
    })
    const records = store.bffSessions
    return new Bff({
      config,
      endpoints: () => ({ issuer: options.issuer, authorize: endpoint(OIDC_PATHS.authorize), endSession: endpoint(OIDC_PATHS.endSession) }),
      clock,
      clockToleranceSeconds: options.clockToleranceSeconds,
      signingKey,
      sessions: new BffSessions({ clock, idleTimeoutSeconds: options.sessionIdleTimeoutSeconds, absoluteTimeoutSeconds: options.sessionAbsoluteTimeoutSeconds, records }),
      logins: new BffLogins({ clock, records: store.bffLogins }),
      provider,
      refresh: new BffRefresh({ clock, records, provider, onRefresh: () => stats.bff.refreshes++, onJoin: () => stats.bff.refreshesJoined++ }),
      stats: stats.bff,
    })
  }

  // Reads the store's records afresh: clearing the embedded store replaces them.
  const freshState = () => {
    const stats = createStats()
    return {
      bff: options.bff ? bffFor(options.bff, stats) : undefined,
      stats,
      revocations: new RevocationList(store.revocations),
      faults: createFaults(),
      notes: new Notes(clock),
      sessions: new SessionStore({
        clock,
        idleTimeoutSeconds: options.sessionIdleTimeoutSeconds,
        absoluteTimeoutSeconds: options.sessionAbsoluteTimeoutSeconds,
        onLookup: () => stats.sessionLookups++,
        records: store.sessions,
      }),
      families: new RefreshFamilies({
        clock,
        absoluteTtlSeconds: options.refreshTokenTtlSeconds,
        idleTtlSeconds: options.refreshIdleTtlSeconds,
        reuseGraceSeconds: options.refreshReuseGraceSeconds,
        records: store.families,
      }),
      codes: new AuthorizationCodes({ clock, records: store.codes }),
      providerSessions: new ProviderSessions({ clock, lifetimeSeconds: options.sessionAbsoluteTimeoutSeconds, records: store.providerSessions }),
      dpop: new DpopProofs({
        clock,
        windowSeconds: options.dpop.proofWindowSeconds,
        clockToleranceSeconds: options.clockToleranceSeconds,
        replays: store.dpopProofs,
        nonces: dpopNonces,
        nonceRequired: () => options.dpop.nonce,
      }),
    }
  }
  const accessTokens = () =>
    new AccessTokens({
      issuer: options.issuer,
      audience: options.audience,
      ttlSeconds: options.accessTokenTtlSeconds,
      clockToleranceSeconds: options.clockToleranceSeconds,
      clock,
      key: signingKey,
      isRevoked: options.accessTokenDenylist ? (issuer, jti) => parts.revocations.has(issuer, jti, clock.nowSeconds()) : undefined,
      onVerify: () => parts.stats.signatureVerifications++,
    })

  // Handlers hold this object; reset swaps its state in place so they see the new state.
  const parts: BackendParts = {
    options,
    clock,
    users,
    signingKey,
    storeKind: store.kind,
    dpopNonces,
    tokens: accessTokens(),
    ...freshState(),
  }

  const ready = Promise.all([keyPromise, users.seed(options.users)]).then(() => undefined)

  const describe = ([liveSessions, liveRefreshFamilies, revokedAccessTokens, liveBffSessions]: [number, number, number, number], roundTrips: number): BackendSnapshot => ({
    ...structuredClone(parts.stats),
    liveSessions,
    liveRefreshFamilies,
    revokedAccessTokens,
    liveBffSessions,
    clockOffsetSeconds: clock.offsetMs / 1000,
    latencyMs: parts.faults.latencyMs,
    pendingRefreshFailures: parts.faults.failRefresh.remaining,
    csrfDefences: { ...parts.faults.csrf },
    revokeAccessTokenOnLogout: options.revokeAccessTokenOnLogout,
    dpopNonceRequired: options.dpop.nonce,
    store: store.kind,
    storeRoundTrips: roundTrips,
  })
  const liveCounts = () =>
    [parts.sessions.count(), mapAwaitable(parts.families.liveFamilies(), (live) => live.length), parts.revocations.count(), parts.bff?.count() ?? 0] as const

  // Counting live state in a shared store takes round trips too; they are left out of the figure,
  // which is what requests cost (exactly so while no request runs during the read).
  let spentOnSnapshots = 0
  const snapshot = (): BackendSnapshot => {
    // Checked before asking: a shared store's answers would be promises nobody awaits.
    const [sessions, families, revoked, bffSessions] = store.kind === 'memory' ? liveCounts() : []
    if (typeof sessions !== 'number' || typeof families !== 'number' || typeof revoked !== 'number' || typeof bffSessions !== 'number') {
      throw new Error('this store answers asynchronously: use readSnapshot()')
    }
    return describe([sessions, families, revoked, bffSessions], store.roundTrips() - spentOnSnapshots)
  }
  const readSnapshot = async (): Promise<BackendSnapshot> => {
    const before = store.roundTrips()
    const counts = await Promise.all(liveCounts())
    const roundTrips = before - spentOnSnapshots
    spentOnSnapshots += store.roundTrips() - before
    return describe(counts, roundTrips)
  }

  const reset = async () => {
    const cleared = store.clear()
    Object.assign(parts, freshState())
    users.resetThrottle()
    clock.offsetMs = 0
    await cleared
  }

  const routes = [
    // First: every route matches under any prefix (`*/api/me`), so `/bff/api/me` is the BFF's only if it asks first.
    ...(options.bff ? bffRoutes(parts) : []),
    ...jwtRoutes(parts),
    ...sessionRoutes(parts),
    ...apiRoutes(parts),
    ...oauthRoutes(parts),
    ...(options.oidcClients.size > 0 ? oidcRoutes(parts) : []),
    ...discoveryRoutes(parts),
    ...(options.controls ? controlRoutes(parts, { reset, snapshot: readSnapshot }) : []),
  ]

  return {
    handlers: toHandlers(parts, routes, ready),
    ready,
    options,
    clock,
    snapshot,
    readSnapshot,
    reset,
    setLatency: (ms) => void (parts.faults.latencyMs = ms),
    failNextRefreshes: (count, mode = '500') => void (parts.faults.failRefresh = { remaining: count, mode }),
    setClockOffset: (seconds) => void (clock.offsetMs = seconds * 1000),
    revokeUser: async (username) => void (await revokeUser(parts, `u_${username}`)),
    setIssuer(issuer) {
      if (options.bff) throw new ConfigurationError('invalid_option', 'with bff, give the issuer when the backend is created (issuerFromServer): the BFF is registered at it')
      options.issuer = options.oidcClients.size > 0 ? assertIssuer(issuer, options.basePath) : issuer
      parts.tokens = accessTokens()
    },
    async signToken(payload, header = {}) {
      const key = await keyPromise
      return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }).sign(key.signKey)
    },
  }
}
