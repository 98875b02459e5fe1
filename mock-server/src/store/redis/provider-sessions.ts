import type { ProviderSession, ProviderSessionRecords } from '../../domain/oidc/provider-sessions.ts'
import { guard, type CountingRedis } from './client.ts'
import { gcAt, type RedisKeys } from './keys.ts'
import { countKeys } from './scan.ts'
import type { RunScript } from './scripts.ts'

/** Provider sessions as JSON strings, each with a set of the refresh families issued through it. */
export class RedisProviderSessionRecords implements ProviderSessionRecords {
  constructor(
    private readonly client: CountingRedis,
    private readonly run: RunScript,
    private readonly keys: RedisKeys,
  ) {}

  async insert(session: ProviderSession, replacing?: string): Promise<void> {
    const keys = [this.keys.providerSession(session.id), this.keys.providerSessionFamilies(session.id), this.keys.userProviderSessions(session.userId)]
    if (replacing !== undefined) keys.push(this.keys.providerSession(replacing), this.keys.providerSessionFamilies(replacing))
    await guard(() => this.run('providerSessionInsert', keys, [session.id, JSON.stringify(session), gcAt(session.expiresAt)]))
  }

  async get(id: string): Promise<ProviderSession | undefined> {
    const stored = await guard(() => this.client.get(this.keys.providerSession(id)))
    return stored === null ? undefined : (JSON.parse(stored) as ProviderSession)
  }

  async bindFamily(id: string, familyId: string): Promise<void> {
    await guard(() => this.run('providerSessionBind', [this.keys.providerSession(id), this.keys.providerSessionFamilies(id)], [familyId]))
  }

  async delete(id: string): Promise<string[]> {
    const reply = await guard(() => this.run('providerSessionDelete', [this.keys.providerSession(id), this.keys.providerSessionFamilies(id)], []))
    return Array.isArray(reply) ? reply : []
  }

  async deleteUser(userId: string): Promise<number> {
    const { providerSessionPrefix, providerSessionFamiliesPrefix } = this.keys
    return Number(await guard(() => this.run('providerSessionDeleteUser', [this.keys.userProviderSessions(userId)], [providerSessionPrefix, providerSessionFamiliesPrefix])))
  }

  count(): Promise<number> {
    return guard(() => countKeys(this.client, this.keys.providerSessionPrefix))
  }
}
