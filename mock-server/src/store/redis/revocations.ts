import type { RevocationRecords } from '../types.ts'
import { guard, type CountingRedis } from './client.ts'
import { gcAt, type RedisKeys } from './keys.ts'
import { countKeys } from './scan.ts'

/** The denylist as one key per `(iss, jti)`: one GET per bearer request. */
export class RedisRevocationRecords implements RevocationRecords {
  constructor(
    private readonly client: CountingRedis,
    private readonly keys: RedisKeys,
  ) {}

  async add(key: string, expiresAtSeconds: number): Promise<void> {
    await guard(() => this.client.set(this.keys.revoked(key), String(expiresAtSeconds), 'PXAT', gcAt(expiresAtSeconds * 1000)))
  }

  async has(key: string, nowSeconds: number): Promise<boolean> {
    const expiresAt = await guard(() => this.client.get(this.keys.revoked(key)))
    return expiresAt !== null && Number(expiresAt) >= nowSeconds
  }

  count(): Promise<number> {
    return guard(() => countKeys(this.client, this.keys.revokedPrefix))
  }
}
