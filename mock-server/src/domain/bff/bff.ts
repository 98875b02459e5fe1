import type { Awaitable } from '../awaitable.ts'
import type { Clock } from '../clock.ts'
import { BackendError } from '../errors.ts'
import { safeEqual } from '../random.ts'
import type { SigningKey } from '../signing-keys.ts'
import type { Timings } from '../timings.ts'
import type { ResolvedBff } from './config.ts'
import { verifyIdToken } from './id-token.ts'
import type { BffLogins } from './logins.ts'
import type { ProviderClient } from './provider-client.ts'
import type { BffRefresh } from './refresh.ts'
import type { BffSession, BffSessions } from './sessions.ts'
import { upstreamUrl } from './targets.ts'
import { callUpstream, type UpstreamAnswer, type UpstreamRequest } from './upstream.ts'

/** Counters for the lab and the scale bench (`GET /__mock/stats`, `bff`). */
export interface BffStats {
  signIns: number
  signOuts: number
  /** Requests forwarded to the API (each answered, whatever the API said). */
  proxied: number
  /** Refresh requests the BFF sent to the provider. */
  refreshes: number
  /** Requests that needed fresh tokens and got another request's refresh (here or on another instance). */
  refreshesJoined: number
  /** API answers of 401 that the BFF answered by refreshing and sending the request once more (B4). */
  retriedAfter401: number
}

export function createBffStats(): BffStats {
  return { signIns: 0, signOuts: 0, proxied: 0, refreshes: 0, refreshesJoined: 0, retriedAfter401: 0 }
}

/** The provider's endpoints the BFF uses: read per call, as the issuer may be set once the server listens. */
export interface BffEndpoints {
  issuer: string
  authorize: string
  endSession: string
}

export interface BffParts {
  config: ResolvedBff
  endpoints: () => BffEndpoints
  clock: Clock
  clockToleranceSeconds: number
  signingKey: () => Promise<SigningKey>
  sessions: BffSessions
  logins: BffLogins
  provider: ProviderClient
  refresh: BffRefresh
  stats: BffStats
}

/** Refresh this long before the access token expires, so the API never meets an expired one (B4). */
const EXPIRY_LEEWAY_MS = 5_000

/**
 * The backend-for-frontend (browser-apps BCP §6.1): it signs in with Authorization Code + PKCE as
 * a confidential client, keeps the tokens in its session record, and calls the API with them on
 * the page's behalf. The page holds an HttpOnly session cookie and nothing else.
 */
export class Bff {
  constructor(private readonly options: BffParts) {}

  /** Starts the code flow: state, nonce and verifier stay here; the browser goes to the provider. */
  async startLogin(returnTo: string, timings: Timings): Promise<{ state: string; location: string }> {
    const { config, endpoints, logins } = this.options
    const login = await logins.start(returnTo, timings)
    const url = new URL(endpoints().authorize)
    const query = {
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      response_type: 'code',
      scope: config.scope,
      state: login.state,
      nonce: login.nonce,
      code_challenge: login.codeChallenge,
      code_challenge_method: 'S256',
    }
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
    return { state: login.state, location: url.href }
  }

  /**
   * The provider's answer: `state` must be the one this browser was given (its login cookie:
   * otherwise someone else's code could be planted, RFC 9700 §4.7), `iss` this provider's (RFC 9207),
   * then the code is redeemed with client authentication and the ID token checked.
   */
  async completeLogin(params: URLSearchParams, boundState: string | undefined, previousId: string | undefined, timings: Timings): Promise<{ session: BffSession; returnTo: string }> {
    const { config, endpoints, logins, provider, sessions, clock } = this.options
    const state = params.get('state')
    if (!state || !boundState || !safeEqual(state, boundState)) throw callbackRefused('state', 'this sign-in was not started in this browser')
    const login = await logins.take(state, timings)
    if (!login) throw callbackRefused('state', 'this sign-in is unknown, used already or expired; start again')
    const { issuer } = endpoints()
    if (params.get('iss') !== issuer) throw callbackRefused('iss', 'the answer does not come from this provider')
    const error = params.get('error')
    if (error !== null) throw callbackRefused('provider', `the provider answered ${error.slice(0, 64)}`)
    const code = params.get('code')
    if (!code) throw callbackRefused('code', 'the answer has no code')

    const { idToken, ...tokens } = await provider.redeemCode(code, config.redirectUri, login.codeVerifier)
    const user = await verifyIdToken(await this.options.signingKey(), idToken, {
      issuer,
      clientId: config.clientId,
      nonce: login.nonce,
      clockToleranceSeconds: this.options.clockToleranceSeconds,
      now: clock.nowSeconds(),
    })
    const session = await sessions.create(user, tokens, previousId, timings)
    this.options.stats.signIns++
    return { session, returnTo: login.returnTo }
  }

  touch(id: string, timings: Timings): Promise<BffSession> {
    return this.options.sessions.touch(id, timings)
  }

  count(): Awaitable<number> {
    return this.options.sessions.count()
  }

  idleExpiresAt(session: BffSession): number {
    return this.options.sessions.idleExpiresAt(session)
  }

  /** Where `/bff/api/<rest>` goes: under the configured API only (B3). */
  upstreamUrl(rest: string, search: string): URL {
    return upstreamUrl(this.options.config.apiBase, rest, search)
  }

  /**
   * Calls the API with the session's access token: refreshed first when it is about to expire, and
   * once more when the API answers 401 anyway (revoked, or the clocks disagree), so the page never
   * sees a 401 that a refresh would have avoided (B4).
   */
  async forward(session: BffSession, target: URL, request: UpstreamRequest): Promise<UpstreamAnswer> {
    const { refresh, stats, clock } = this.options
    let current = session
    if (clock.now() >= current.tokens.accessExpiresAt - EXPIRY_LEEWAY_MS) current = await refresh.refresh(current)
    let answer = await callUpstream(target, request, current.tokens.accessToken)
    if (answer.status === 401) {
      stats.retriedAfter401++
      current = await refresh.refresh(current)
      answer = await callUpstream(target, request, current.tokens.accessToken)
    }
    stats.proxied++
    return answer
  }

  /**
   * Ends the BFF session and revokes its refresh token at the provider (RFC 7009), which ends the
   * grant; a revocation that fails does not keep anyone signed in here. The provider's own session
   * lives in the browser's cookie for the provider, which a BFF on another origin never sees: the
   * browser ends it by going to `endSessionUrl` (front channel, RP-Initiated Logout).
   */
  async signOut(id: string | undefined, timings: Timings): Promise<{ signedOut: boolean; revoked: boolean }> {
    const session = id === undefined ? undefined : await this.options.sessions.end(id, timings)
    if (!session) return { signedOut: false, revoked: false }
    this.options.stats.signOuts++
    const { refreshToken } = session.tokens
    const revoked = refreshToken === undefined ? true : await this.options.provider.revoke(refreshToken)
    return { signedOut: true, revoked }
  }

  /** RP-Initiated Logout with `client_id`, not `id_token_hint`: the ID token never goes to the browser. */
  endSessionUrl(): string {
    const { config, endpoints } = this.options
    const url = new URL(endpoints().endSession)
    url.searchParams.set('client_id', config.clientId)
    url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri)
    return url.href
  }
}

function callbackRefused(reason: string, description: string): BackendError {
  return new BackendError('invalid_request', description, { reason })
}
