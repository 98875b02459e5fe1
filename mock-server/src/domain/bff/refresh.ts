import type { Clock } from '../clock.ts'
import { BackendError } from '../errors.ts'
import { randomToken } from '../random.ts'
import type { ProviderClient } from './provider-client.ts'
import type { BffSession, BffSessionRecords } from './sessions.ts'

export interface BffRefreshOptions {
  clock: Clock
  records: BffSessionRecords
  provider: ProviderClient
  /** How long a claim holds: longer than a token request can take (its timeout is 10 s). */
  lockMs?: number
  /** How often a caller waiting on another instance's refresh looks again. */
  pollMs?: number
  onRefresh: () => void
  onJoin: () => void
}

/**
 * One refresh per session and token generation, however many requests meet the expired token at
 * once, on however many instances: the provider rotates refresh tokens with reuse detection, so a
 * second refresh with the same token would revoke the sign-in (M29). In this process, callers share
 * one promise; across instances, the session record holds a short claim (compare-and-set on the
 * session's `version`), and the others wait for the version to move.
 */
export class BffRefresh {
  private readonly flights = new Map<string, Promise<BffSession>>()
  private readonly lockMs: number
  private readonly pollMs: number

  constructor(private readonly options: BffRefreshOptions) {
    this.lockMs = options.lockMs ?? 15_000
    this.pollMs = options.pollMs ?? 20
  }

  /** The session with tokens newer than `session`'s, refreshed here or by whoever got there first. */
  refresh(session: BffSession): Promise<BffSession> {
    const key = `${session.id} ${session.version}`
    const running = this.flights.get(key)
    if (running) {
      this.options.onJoin()
      return running
    }
    const flight = this.run(session).finally(() => this.flights.delete(key))
    this.flights.set(key, flight)
    return flight
  }

  private async run(session: BffSession): Promise<BffSession> {
    const { records, clock } = this.options
    const owner = randomToken(16)
    const deadline = clock.now() + this.lockMs + 5_000
    for (;;) {
      const claim = await records.claimRefresh(session.id, session.version, owner, clock.now() + this.lockMs, clock.now())
      if (claim === 'claimed') return this.refreshClaimed(session, owner)
      if (claim === 'gone') throw signedOut('the BFF session has ended')
      if (claim === 'moved') {
        this.options.onJoin()
        const current = await records.get(session.id)
        if (!current) throw signedOut('the BFF session has ended')
        return current
      }
      if (clock.now() > deadline) throw new BackendError('temporarily_unavailable', 'another refresh of this session did not finish', { headers: { 'Retry-After': '1' } })
      await new Promise((resolve) => setTimeout(resolve, this.pollMs))
    }
  }

  private async refreshClaimed(session: BffSession, owner: string): Promise<BffSession> {
    const { records, provider } = this.options
    const { refreshToken } = session.tokens
    let tokens
    try {
      if (refreshToken === undefined) throw new BackendError('invalid_grant', 'no refresh token was granted')
      this.options.onRefresh()
      tokens = await provider.refresh(refreshToken)
    } catch (error) {
      // Refused by the provider (revoked, expired, reused): the sign-in is over, and so is the session.
      if (error instanceof BackendError && error.code === 'invalid_grant') {
        await records.delete(session.id)
        throw signedOut('the sign-in has ended at the provider; sign in again')
      }
      await records.releaseRefresh(session.id, owner)
      throw error
    }
    const next = { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken }
    if (!(await records.completeRefresh(session.id, session.version, owner, next))) {
      // Signed out meanwhile, or the claim ran out and another refresh won: what is stored stands.
      const current = await records.get(session.id)
      if (!current) throw signedOut('the BFF session has ended')
      return current
    }
    return { ...session, tokens: next, version: session.version + 1 }
  }
}

function signedOut(description: string): BackendError {
  return new BackendError('invalid_session', description)
}
