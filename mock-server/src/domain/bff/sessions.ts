import type { Awaitable } from '../awaitable.ts'
import type { Clock } from '../clock.ts'
import { BackendError } from '../errors.ts'
import { randomToken } from '../random.ts'
import { timed, type Timings } from '../timings.ts'

/** What the provider handed the BFF. Kept in the session record, never sent to the browser (B1). */
export interface BffTokens {
  accessToken: string
  /** Milliseconds since the epoch, from `expires_in` (the BFF does not read its access tokens). */
  accessExpiresAt: number
  /** Absent when the provider granted no `offline_access`: the sign-in then ends with the access token. */
  refreshToken?: string
}

/** Who signed in, as the ID token said: what `/bff/session` shows. */
export type BffUser = Record<string, string | boolean>

export interface BffSession {
  /** The cookie value: 256 random bits (M21). */
  id: string
  csrfToken: string
  user: BffUser
  createdAt: number
  lastSeenAt: number
  absoluteExpiresAt: number
  tokens: BffTokens
  /** Goes up by one with every refresh: what a refresh compares and sets. */
  version: number
}

/**
 * The answer to a claim on a session's refresh. `claimed`: this caller refreshes and must complete
 * or release; `moved`: the tokens are newer than the caller's, someone refreshed meanwhile;
 * `busy`: another caller (on any instance) is refreshing now; `gone`: no such session.
 */
export type RefreshClaim = 'claimed' | 'moved' | 'busy' | 'gone'

/**
 * Where BFF sessions live (stores implement it). Each step is atomic, so instances sharing a store
 * refresh a session's tokens once between them: the claim is a short lock held in the record.
 */
export interface BffSessionRecords {
  /** Stores a new session; `replacing` is deleted in the same step (fixation, M12). */
  insert(session: BffSession, replacing?: string): Awaitable<void>
  /** As `SessionRecords.touch`: the session with its idle expiry slid, `'expired'` (and deleted), or undefined. */
  touch(id: string, now: number, idleTimeoutMs: number): Awaitable<BffSession | 'expired' | undefined>
  /** The session as it is, not slid: for a caller waiting on another's refresh. */
  get(id: string): Awaitable<BffSession | undefined>
  /** Takes the refresh lock until `until` when the session is still at `version` and no live lock is held. */
  claimRefresh(id: string, version: number, owner: string, until: number, now: number): Awaitable<RefreshClaim>
  /** Compare-and-set: new tokens and `version + 1`, only at `version` and while `owner` holds the lock, which it releases. */
  completeRefresh(id: string, version: number, owner: string, tokens: BffTokens): Awaitable<boolean>
  /** Gives the lock up without new tokens (the refresh failed). */
  releaseRefresh(id: string, owner: string): Awaitable<void>
  /** Deletes the session; answers it, so its refresh token can be revoked. */
  delete(id: string): Awaitable<BffSession | undefined>
  count(): Awaitable<number>
}

export interface BffSessionOptions {
  clock: Clock
  idleTimeoutSeconds: number
  absoluteTimeoutSeconds: number
  records: BffSessionRecords
}

/** The BFF's sessions: the browser holds an opaque id; the tokens stay here. */
export class BffSessions {
  constructor(private readonly options: BffSessionOptions) {}

  /** Always a fresh id: one the browser had before sign-in is never kept (M12, M32). */
  async create(user: BffUser, tokens: BffTokens, previousId: string | undefined, timings?: Timings): Promise<BffSession> {
    const now = this.options.clock.now()
    const session: BffSession = {
      id: randomToken(),
      csrfToken: randomToken(),
      user,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.options.absoluteTimeoutSeconds * 1000,
      tokens,
      version: 0,
    }
    await timed(timings, 'store', () => this.options.records.insert(session, previousId))
    return session
  }

  /** Looks the session up and slides its idle expiry (M13). */
  async touch(id: string, timings?: Timings): Promise<BffSession> {
    const session = await timed(timings, 'lookup', () => this.options.records.touch(id, this.options.clock.now(), this.options.idleTimeoutSeconds * 1000))
    if (session === undefined) throw new BackendError('invalid_session', 'no such BFF session')
    if (session === 'expired') throw new BackendError('session_expired', 'the BFF session has expired')
    return session
  }

  idleExpiresAt(session: BffSession): number {
    return Math.min(session.lastSeenAt + this.options.idleTimeoutSeconds * 1000, session.absoluteExpiresAt)
  }

  async end(id: string, timings?: Timings): Promise<BffSession | undefined> {
    return timed(timings, 'store', () => this.options.records.delete(id))
  }

  count(): Awaitable<number> {
    return this.options.records.count()
  }
}
