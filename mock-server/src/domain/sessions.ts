import { BackendError } from './errors.ts'
import { randomToken } from './random.ts'
import type { Clock } from './clock.ts'
import { timed, type Timings } from './timings.ts'
import { MemorySessionRecords } from '../store/memory.ts'
import type { Awaitable, SessionRecords } from '../store/types.ts'

export interface Session {
  id: string
  userId: string
  csrfToken: string
  createdAt: number
  lastSeenAt: number
  absoluteExpiresAt: number
}

export interface SessionStoreOptions {
  clock: Clock
  idleTimeoutSeconds: number
  absoluteTimeoutSeconds: number
  onLookup: () => void
  /** Where the sessions are kept. Default: in this process. */
  records?: SessionRecords
}

/** Server-side sessions: the server holds the state, the browser holds only an opaque id. */
export class SessionStore {
  private readonly records: SessionRecords

  constructor(private readonly options: SessionStoreOptions) {
    this.records = options.records ?? new MemorySessionRecords()
  }

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
    await timed(timings, 'store', () => this.records.insert(session, previousId))
    return session
  }

  /** Looks a session up and slides its idle expiry; an expired one is deleted (M13). */
  async touch(id: string, timings?: Timings): Promise<Session> {
    this.options.onLookup()
    const session = await timed(timings, 'lookup', () => this.records.touch(id, this.options.clock.now(), this.options.idleTimeoutSeconds * 1000))
    if (session === undefined) throw new BackendError('invalid_session', 'no such session')
    if (session === 'expired') throw new BackendError('session_expired', 'session has expired')
    return session
  }

  idleExpiresAt(session: Session): number {
    return Math.min(session.lastSeenAt + this.options.idleTimeoutSeconds * 1000, session.absoluteExpiresAt)
  }

  async deleteUser(userId: string): Promise<number> {
    return this.records.deleteUser(userId)
  }

  /** Not `async`: the embedded store answers synchronously, so `snapshot()` can too. */
  count(): Awaitable<number> {
    return this.records.count()
  }
}
