import type { BffLoginRecords, PendingLogin } from '../../domain/bff/logins.ts'
import type { BffSession, BffSessionRecords, BffTokens, RefreshClaim } from '../../domain/bff/sessions.ts'
import { guard, type CountingRedis } from './client.ts'
import { gcAt, GC_MARGIN_MS, type RedisKeys } from './keys.ts'
import { countKeys } from './scan.ts'
import type { RunScript, ScriptReply } from './scripts.ts'

/**
 * BFF sessions as Redis hashes: what never changes as one JSON field, the tokens as another, and
 * the version and refresh claim beside them. Every step is one script, so one round trip: a
 * proxied request costs one (the touch) unless its tokens need a refresh.
 */
export class RedisBffSessionRecords implements BffSessionRecords {
  constructor(
    private readonly client: CountingRedis,
    private readonly run: RunScript,
    private readonly keys: RedisKeys,
  ) {}

  async insert(session: BffSession, replacing?: string): Promise<void> {
    const keys = [this.keys.bffSession(session.id)]
    if (replacing !== undefined) keys.push(this.keys.bffSession(replacing))
    const { csrfToken, user, createdAt, lastSeenAt, absoluteExpiresAt, tokens } = session
    const data = JSON.stringify({ csrfToken, user, createdAt })
    await guard(() => this.run('bffSessionInsert', keys, [data, lastSeenAt, absoluteExpiresAt, JSON.stringify(tokens), gcAt(absoluteExpiresAt)]))
  }

  async touch(id: string, now: number, idleTimeoutMs: number): Promise<BffSession | 'expired' | undefined> {
    const reply = await guard(() => this.run('bffSessionTouch', [this.keys.bffSession(id)], [now, idleTimeoutMs, GC_MARGIN_MS]))
    return reply === 'expired' ? 'expired' : toSession(id, reply)
  }

  async get(id: string): Promise<BffSession | undefined> {
    const fields = await guard(() => this.client.hmget(this.keys.bffSession(id), 'data', 'lastSeenAt', 'absoluteExpiresAt', 'tokens', 'version'))
    return fields[0] === null ? undefined : toSession(id, fields as string[])
  }

  async claimRefresh(id: string, version: number, owner: string, until: number, now: number): Promise<RefreshClaim> {
    return (await guard(() => this.run('bffClaimRefresh', [this.keys.bffSession(id)], [version, owner, until, now]))) as RefreshClaim
  }

  async completeRefresh(id: string, version: number, owner: string, tokens: BffTokens): Promise<boolean> {
    return (await guard(() => this.run('bffCompleteRefresh', [this.keys.bffSession(id)], [version, owner, JSON.stringify(tokens)]))) === 1
  }

  async releaseRefresh(id: string, owner: string): Promise<void> {
    await guard(() => this.run('bffReleaseRefresh', [this.keys.bffSession(id)], [owner]))
  }

  async delete(id: string): Promise<BffSession | undefined> {
    return toSession(id, await guard(() => this.run('bffSessionDelete', [this.keys.bffSession(id)], [])))
  }

  count(): Promise<number> {
    return guard(() => countKeys(this.client, this.keys.bffSessionPrefix))
  }
}

/** Pending sign-ins as JSON strings; taking one is GETDEL, so a `state` is spent by whoever asks first. */
export class RedisBffLoginRecords implements BffLoginRecords {
  constructor(
    private readonly client: CountingRedis,
    private readonly keys: RedisKeys,
  ) {}

  async insert(login: PendingLogin): Promise<void> {
    await guard(() => this.client.set(this.keys.bffLogin(login.state), JSON.stringify(login), 'PXAT', gcAt(login.expiresAt)))
  }

  async take(state: string): Promise<PendingLogin | undefined> {
    const stored = await guard(() => this.client.getdel(this.keys.bffLogin(state)))
    return stored === null ? undefined : (JSON.parse(stored) as PendingLogin)
  }
}

/** Fields in the order the scripts answer them: data, lastSeenAt, absoluteExpiresAt, tokens, version. */
function toSession(id: string, reply: ScriptReply): BffSession | undefined {
  if (!Array.isArray(reply)) return undefined
  const [data = '{}', lastSeenAt, absoluteExpiresAt, tokens = '{}', version] = reply
  const { csrfToken, user, createdAt } = JSON.parse(data) as Pick<BffSession, 'csrfToken' | 'user' | 'createdAt'>
  return {
    id,
    csrfToken,
    user,
    createdAt,
    lastSeenAt: Number(lastSeenAt),
    absoluteExpiresAt: Number(absoluteExpiresAt),
    tokens: JSON.parse(tokens) as BffTokens,
    version: Number(version),
  }
}
