import type { Session } from '../../domain/sessions.ts'
import type { SessionRecords } from '../types.ts'
import { guard, type CountingRedis } from './client.ts'
import { countKeys } from './scan.ts'
import { gcAt, GC_MARGIN_MS, type RedisKeys } from './keys.ts'
import type { RunScript } from './scripts.ts'

/** Sessions as Redis hashes: one round trip per lookup (look up, check expiry, slide: one script). */
export class RedisSessionRecords implements SessionRecords {
  constructor(
    private readonly client: CountingRedis,
    private readonly run: RunScript,
    private readonly keys: RedisKeys,
  ) {}

  async insert(session: Session, replacing?: string): Promise<void> {
    const keys = [this.keys.session(session.id), this.keys.userSessions(session.userId)]
    if (replacing !== undefined) keys.push(this.keys.session(replacing))
    // Collected after its absolute expiry; each lookup narrows that to its idle expiry.
    const collectAt = gcAt(session.absoluteExpiresAt)
    const { id, userId, csrfToken, createdAt, lastSeenAt, absoluteExpiresAt } = session
    await guard(() => this.run('sessionInsert', keys, [id, userId, csrfToken, createdAt, lastSeenAt, absoluteExpiresAt, collectAt]))
  }

  async touch(id: string, now: number, idleTimeoutMs: number): Promise<Session | 'expired' | undefined> {
    const reply = await guard(() => this.run('sessionTouch', [this.keys.session(id)], [now, idleTimeoutMs, GC_MARGIN_MS]))
    if (reply === null) return undefined
    if (reply === 'expired') return 'expired'
    if (!Array.isArray(reply)) throw new Error('unexpected reply to sessionTouch')
    const [userId = '', csrfToken = '', createdAt, lastSeenAt, absoluteExpiresAt] = reply
    return { id, userId, csrfToken, createdAt: Number(createdAt), lastSeenAt: Number(lastSeenAt), absoluteExpiresAt: Number(absoluteExpiresAt) }
  }

  async deleteUser(userId: string): Promise<number> {
    return Number(await guard(() => this.run('sessionDeleteUser', [this.keys.userSessions(userId)], [this.keys.sessionPrefix])))
  }

  count(): Promise<number> {
    return guard(() => countKeys(this.client, this.keys.sessionPrefix))
  }
}
