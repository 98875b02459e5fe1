import { BackendError } from './errors.ts'
import { randomToken } from './random.ts'
import type { Clock } from './clock.ts'

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
}

/** Server-side sessions: the server holds the state, the browser holds only an opaque id. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>()

  constructor(private readonly options: SessionStoreOptions) {}

  /**
   * Always a fresh id: an id the client already had (issued or not) is never adopted or kept
   * across login, which defeats session fixation (M12, M32).
   */
  create(userId: string, previousId?: string): Session {
    if (previousId !== undefined) this.sessions.delete(previousId)
    const now = this.options.clock.now()
    const session: Session = {
      id: randomToken(),
      userId,
      csrfToken: randomToken(),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.options.absoluteTimeoutSeconds * 1000,
    }
    this.sessions.set(session.id, session)
    return session
  }

  /** Looks a session up and slides its idle expiry; an expired one is deleted (M13). */
  touch(id: string): Session {
    this.options.onLookup()
    const session = this.sessions.get(id)
    if (!session) throw new BackendError('invalid_session', 'no such session')
    const now = this.options.clock.now()
    if (now >= session.absoluteExpiresAt || now - session.lastSeenAt >= this.options.idleTimeoutSeconds * 1000) {
      this.sessions.delete(id)
      throw new BackendError('session_expired', 'session has expired')
    }
    session.lastSeenAt = now
    return session
  }

  idleExpiresAt(session: Session): number {
    return Math.min(session.lastSeenAt + this.options.idleTimeoutSeconds * 1000, session.absoluteExpiresAt)
  }

  delete(id: string): void {
    this.sessions.delete(id)
  }

  deleteUser(userId: string): number {
    let count = 0
    for (const [id, session] of this.sessions) {
      if (session.userId === userId) {
        this.sessions.delete(id)
        count++
      }
    }
    return count
  }

  count(userId?: string): number {
    if (userId === undefined) return this.sessions.size
    return [...this.sessions.values()].filter((session) => session.userId === userId).length
  }
}
