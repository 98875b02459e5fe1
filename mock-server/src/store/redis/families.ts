import type { FamilyAdvance, RefreshFamily, RefreshFamilyRecords, RefreshTransport } from '../../domain/refresh-families.ts'
import { guard, type CountingRedis } from './client.ts'
import { gcAt, type RedisKeys } from './keys.ts'
import { keysUnder } from './scan.ts'
import type { RunScript } from './scripts.ts'

/**
 * Refresh families as Redis hashes, each issued token digest a key pointing at its family. A
 * rotation is a find (one round trip) and a compare-and-set script (one more): two instances
 * given the same token both find it current, and only one compare-and-set succeeds (M29).
 */
export class RedisRefreshFamilyRecords implements RefreshFamilyRecords {
  constructor(
    private readonly client: CountingRedis,
    private readonly run: RunScript,
    private readonly keys: RedisKeys,
  ) {}

  async insert(family: RefreshFamily): Promise<void> {
    const { id, userId, transport, csrfToken, createdAt, absoluteExpiresAt, idleExpiresAt, currentHash, client, jkt } = family
    await guard(() =>
      this.run(
        'familyInsert',
        [this.keys.family(id), this.keys.tokenHash(currentHash), this.keys.userFamilies(userId)],
        [id, userId, transport, csrfToken, createdAt, absoluteExpiresAt, idleExpiresAt, currentHash, gcAt(absoluteExpiresAt), client ? JSON.stringify(client) : '', jkt ?? ''],
      ),
    )
  }

  async findByHash(hash: string): Promise<RefreshFamily | undefined> {
    const reply = await guard(() => this.run('familyFindByHash', [this.keys.tokenHash(hash)], [this.keys.familyPrefix]))
    if (!Array.isArray(reply)) return undefined
    const [id = '', ...fields] = reply
    return toFamily(id, pairs(fields))
  }

  async get(id: string): Promise<RefreshFamily | undefined> {
    const fields = await guard(() => this.client.hgetall(this.keys.family(id)))
    return Object.keys(fields).length === 0 ? undefined : toFamily(id, fields)
  }

  async advance(id: string, fromHash: string, next: FamilyAdvance): Promise<boolean> {
    const lastRotation = next.lastRotation ? JSON.stringify(next.lastRotation) : ''
    const reply = await guard(() =>
      this.run('familyAdvance', [this.keys.family(id), this.keys.tokenHash(next.currentHash)], [id, fromHash, next.currentHash, next.idleExpiresAt, lastRotation]),
    )
    return reply === 1
  }

  async revoke(id: string): Promise<void> {
    await guard(() => this.run('familyRevoke', [this.keys.family(id)], []))
  }

  async revokeUser(userId: string): Promise<number> {
    return Number(await guard(() => this.run('familyRevokeUser', [this.keys.userFamilies(userId)], [this.keys.familyPrefix])))
  }

  async all(): Promise<RefreshFamily[]> {
    const keys = await guard(() => keysUnder(this.client, this.keys.familyPrefix))
    const families = await Promise.all(keys.map((key) => this.get(key.slice(this.keys.familyPrefix.length))))
    return families.filter((family) => family !== undefined)
  }
}

function pairs(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!
  return fields
}

function toFamily(id: string, fields: Record<string, string>): RefreshFamily {
  return {
    id,
    userId: fields.userId ?? '',
    transport: fields.transport as RefreshTransport,
    csrfToken: fields.csrfToken ?? '',
    createdAt: Number(fields.createdAt),
    absoluteExpiresAt: Number(fields.absoluteExpiresAt),
    idleExpiresAt: Number(fields.idleExpiresAt),
    currentHash: fields.currentHash ?? '',
    ...(fields.lastRotation ? { lastRotation: JSON.parse(fields.lastRotation) as RefreshFamily['lastRotation'] } : {}),
    revoked: fields.revoked === '1',
    ...(fields.client ? { client: JSON.parse(fields.client) as RefreshFamily['client'] } : {}),
    ...(fields.jkt ? { jkt: fields.jkt } : {}),
  }
}
