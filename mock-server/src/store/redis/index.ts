import type { AuthStateStore } from '../types.ts'
import { RedisBffLoginRecords, RedisBffSessionRecords } from './bff.ts'
import { connectRedis, guard } from './client.ts'
import { RedisCodeRecords } from './codes.ts'
import { RedisDpopReplayRecords } from './dpop-proofs.ts'
import { RedisRefreshFamilyRecords } from './families.ts'
import { redisKeys } from './keys.ts'
import { RedisProviderSessionRecords } from './provider-sessions.ts'
import { RedisRevocationRecords } from './revocations.ts'
import { keysUnder } from './scan.ts'
import { defineScripts } from './scripts.ts'
import { RedisSessionRecords } from './sessions.ts'

export interface RedisStoreOptions {
  /** `redis://host:port[/db]`. */
  url: string
  /** Namespace for every key, so backends that should not share state can share a Redis. Default `authlens:`. */
  prefix?: string
}

export interface RedisStore extends AuthStateStore {
  /** Closes the connection; the store is unusable afterwards. */
  close(): Promise<void>
}

/**
 * Sessions, refresh families, the revocation list, codes, provider sessions, seen DPoP proofs and BFF sessions in Redis, shared by every backend instance
 * connected to it: any instance serves any sign-in. Kept out of the package's main entry, so the
 * browser build never bundles a Redis client.
 */
export async function createRedisStore({ url, prefix = 'authlens:' }: RedisStoreOptions): Promise<RedisStore> {
  const client = await connectRedis(url)
  const run = defineScripts(client)
  const keys = redisKeys(prefix)
  return {
    kind: 'redis',
    sessions: new RedisSessionRecords(client, run, keys),
    families: new RedisRefreshFamilyRecords(client, run, keys),
    revocations: new RedisRevocationRecords(client, keys),
    codes: new RedisCodeRecords(client, run, keys),
    providerSessions: new RedisProviderSessionRecords(client, run, keys),
    dpopProofs: new RedisDpopReplayRecords(run, keys),
    bffSessions: new RedisBffSessionRecords(client, run, keys),
    bffLogins: new RedisBffLoginRecords(client, keys),
    async clear() {
      const found = await guard(() => keysUnder(client, prefix))
      for (let start = 0; start < found.length; start += 500) {
        await guard(() => client.unlink(...found.slice(start, start + 500)))
      }
    },
    roundTrips: () => client.commandsSent,
    async close() {
      await client.quit().catch(() => client.disconnect())
    },
  }
}
