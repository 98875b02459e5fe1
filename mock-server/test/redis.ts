import { afterAll, beforeAll } from 'vitest'
import { startLocalRedis, type LocalRedis } from '../src/cluster/redis-server.ts'
import { randomToken } from '../src/domain/random.ts'
import { createRedisStore, type RedisStore } from '../src/store/redis/index.ts'

/**
 * A real redis-server for a test file, on a free port in a temporary directory, stopped and deleted
 * afterwards. Without redis-server installed, the file fails in `beforeAll`: never skipped.
 */
export function useLocalRedis() {
  const state = {} as { redis: LocalRedis; stores: RedisStore[] }
  beforeAll(async () => {
    state.redis = await startLocalRedis()
    state.stores = []
  }, 20_000)
  afterAll(async () => {
    await Promise.all(state.stores?.map((store) => store.close()) ?? [])
    await state.redis?.close()
  })
  return {
    get redis() {
      return state.redis
    },
    /** A new connection (an "instance"); `prefix` shares keys with other stores given the same one. */
    async store(prefix = uniquePrefix()): Promise<RedisStore> {
      const store = await createRedisStore({ url: state.redis.url, prefix })
      state.stores.push(store)
      return store
    },
  }
}

/** Each test its own key namespace, so tests in one file never see each other's state. */
export function uniquePrefix(): string {
  return `test-${randomToken(6)}:`
}
