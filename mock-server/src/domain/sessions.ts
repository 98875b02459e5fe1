import { BackendError } from './errors.ts'
import { randomToken } from './random.ts'
import type { Clock } from './clock.ts'
import { timed, type Timings } from './timings.ts'
import type { Awaitable } from './awaitable.ts'

export interface Session {
  id: string
  userId: string
  csrfToken: string
  createdAt: number
  lastSeenAt: number
  absoluteExpiresAt: number
}

/**
 * Where sessions live (stores implement it). `touch` is one atomic step (look up, check expiry,
 * slide): split in two, a request could slide a session that another request has just found expired.
 */
export interface SessionRecords {
  /** Stores a new session; `replacing` is deleted in the same step (fixation, M12). */
  insert(session: Session, replacing?: string): Awaitable<void>
  /**
   * The session as of `now`, its idle expiry slid; `'expired'` (and deleted) when `now` is past
   * its absolute expiry or `idleTimeoutMs` after it was last seen; undefined when unknown.
   */
  touch(id: string, now: number, idleTimeoutMs: number): Awaitable<Session | 'expired' | undefined>
  deleteUser(userId: string): Awaitable<number>
  /** Stored sessions, expired ones not yet collected included. */
  count(): Awaitable<number>
}

export interface SessionStoreOptions {
  clock: Clock
  idleTimeoutSeconds: number
  absoluteTimeoutSeconds: number
  onLookup: () => void
  records: SessionRecords
}

/** Server-side sessions: the server holds the state, the browser holds only an opaque id. */
export class SessionStore {
  constructor(private readonly options: SessionStoreOptions) {}

  /**
   * Always a fresh id: an id the client already had (issued or not) is never adopted or kept
   * across login, which defeats session fixation (M12, M32).
   */
  async create(userId: string, previousId?: string, timings?: Timings): Promise<Session> {
    const now = this.options.clock.now()
    const session: Session = {
      id: randomToken(),
      userId,
      csrfToken: randomToken(),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.options.absoluteTimeoutSeconds * 1000,
    }
    await timed(timings, 'store', () => this.options.records.insert(session, previousId))
    return session
  }

  /** Looks a session up and slides its idle expiry; an expired one is deleted (M13). */
  async touch(id: string, timings?: Timings): Promise<Session> {
    this.options.onLookup()
    const session = await timed(timings, 'lookup', () => this.options.records.touch(id, this.options.clock.now(), this.options.idleTimeoutSeconds * 1000))
    if (session === undefined) throw new BackendError('invalid_session', 'no such session')
    if (session === 'expired') throw new BackendError('session_expired', 'session has expired')
    return session
  }

  idleExpiresAt(session: Session): number {
    return Math.min(session.lastSeenAt + this.options.idleTimeoutSeconds * 1000, session.absoluteExpiresAt)
  }

  async deleteUser(userId: string): Promise<number> {
    return this.options.records.deleteUser(userId)
  }

  /** Not `async`: the embedded store answers synchronously, so `snapshot()` can too. */
  count(): Awaitable<number> {
    return this.options.records.count()
  }
}
