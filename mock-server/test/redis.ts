import { afterAll } from 'vitest'
import { startLocalRedis, type LocalRedis } from '../src/cluster/redis-server.ts'
import { randomToken } from '../src/domain/random.ts'
import { createRedisStore, type RedisStore } from '../src/store/redis/index.ts'

/**
 * A real redis-server for a test file, on a free port in a temporary directory, stopped and deleted
 * afterwards. Started by the first test that asks, and awaited by every test that uses it: without
 * redis-server installed each of those tests fails with `redis_server_missing`, none is skipped.
 */
export function useLocalRedis() {
  let started: Promise<LocalRedis> | undefined
  const stores: RedisStore[] = []
  const server = () => (started ??= startLocalRedis())
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()))
    await (await started?.catch(() => undefined))?.close()
  })
  return {
    server,
    /** A new connection (an "instance"); `prefix` shares keys with other stores given the same one. */
    async store(prefix = uniquePrefix()): Promise<RedisStore> {
      const store = await createRedisStore({ url: (await server()).url, prefix })
      stores.push(store)
      return store
    },
  }
}

/** Each test its own key namespace, so tests in one file never see each other's state. */
export function uniquePrefix(): string {
  return `test-${randomToken(6)}:`
}
