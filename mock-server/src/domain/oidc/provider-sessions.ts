import type { Awaitable } from '../awaitable.ts'
import type { Clock } from '../clock.ts'
import { randomToken } from '../random.ts'
import { timed, type Timings } from '../timings.ts'

/** A sign-in at the provider: what lets /authorize answer without a login page (SSO). */
export interface ProviderSession {
  /** The cookie value: 256 random bits (M21). */
  id: string
  /** A public reference for the ID token's `sid`: the cookie value never leaves the provider. */
  sid: string
  userId: string
  /** When the password was entered, seconds since the epoch (`auth_time`, `max_age`). */
  authTime: number
  /** Milliseconds since the epoch. */
  expiresAt: number
}

/** Where provider sessions live (stores implement it). */
export interface ProviderSessionRecords {
  /**
   * Stores a new session; `replacing` is deleted in the same step (fixation, M12) and the refresh
   * families bound to it move to the new one, so signing out of this browser still ends them.
   */
  insert(session: ProviderSession, replacing?: string): Awaitable<void>
  get(id: string): Awaitable<ProviderSession | undefined>
  /** Remembers a refresh family issued through this session, so ending it ends them. */
  bindFamily(id: string, familyId: string): Awaitable<void>
  /** Deletes the session; answers the refresh families bound to it. */
  delete(id: string): Awaitable<string[]>
  /** Deletes every session of the user (M30); answers how many. */
  deleteUser(userId: string): Awaitable<number>
  count(): Awaitable<number>
}

/** Provider sessions last as long as the backend's absolute session timeout, and do not slide. */
export class ProviderSessions {
  constructor(private readonly options: { clock: Clock; lifetimeSeconds: number; records: ProviderSessionRecords }) {}

  /** Always a fresh id: a session id the browser already had is never kept across sign-in. */
  async create(userId: string, previousId: string | undefined, timings?: Timings): Promise<ProviderSession> {
    const now = this.options.clock.now()
    const session: ProviderSession = {
      id: randomToken(),
      sid: randomToken(16),
      userId,
      authTime: Math.floor(now / 1000),
      expiresAt: now + this.options.lifetimeSeconds * 1000,
    }
    await timed(timings, 'store', () => this.options.records.insert(session, previousId))
    return session
  }

  /** The live session with this id; an expired one is deleted and reads as none. */
  async find(id: string | undefined, timings?: Timings): Promise<ProviderSession | undefined> {
    if (id === undefined) return undefined
    const session = await timed(timings, 'lookup', () => this.options.records.get(id))
    if (session && this.options.clock.now() >= session.expiresAt) {
      await this.options.records.delete(id)
      return undefined
    }
    return session
  }

  async bindFamily(sessionId: string, familyId: string, timings?: Timings): Promise<void> {
    await timed(timings, 'store', () => this.options.records.bindFamily(sessionId, familyId))
  }

  /** Ends the session; answers the refresh families issued through it, for the caller to revoke. */
  async end(id: string, timings?: Timings): Promise<string[]> {
    return timed(timings, 'store', () => this.options.records.delete(id))
  }

  async deleteUser(userId: string): Promise<number> {
    return this.options.records.deleteUser(userId)
  }

  count(): Awaitable<number> {
    return this.options.records.count()
  }
}
