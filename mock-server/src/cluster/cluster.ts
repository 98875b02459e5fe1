import { randomToken } from '../domain/random.ts'
import { freePort } from './free-port.ts'
import { startInstance, type Instance } from './instances.ts'
import { startRoundRobinProxy, type RoundRobinProxy } from './proxy.ts'
import { startLocalRedis, type LocalRedis } from './redis-server.ts'

export interface ClusterOptions {
  instances: number
  /** The proxy's port; 0 (default) picks a free one. */
  port?: number
  /** Default: a fresh 256-bit secret; a given one must pass the weak-secret guard (M25). */
  hmacSecret?: string
  /** Default true; `false` runs stateless access tokens (no revocation list). */
  accessTokenDenylist?: boolean
  passwordHashIterations?: number
  /**
   * Turns the backend-for-frontend on in every instance, with one client secret, and the proxy's
   * URL as the issuer: the address the browser knows, where the BFF reaches its provider and API.
   */
  bff?: boolean
}

export interface Cluster {
  /** The proxy: what a browser or a load generator talks to. */
  url: string
  redis: LocalRedis
  instances: Instance[]
  proxy: RoundRobinProxy
  /** Stops the proxy, every instance and Redis, and deletes Redis's data. */
  stop(): Promise<void>
}

/** Redis, N backend instances sharing it and one signing secret, and a round-robin proxy, all on loopback. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  if (!Number.isInteger(options.instances) || options.instances < 1 || options.instances > 16) {
    throw new Error('instances must be an integer from 1 to 16')
  }
  const redis = await startLocalRedis()
  const instances: Instance[] = []
  let proxy: RoundRobinProxy | undefined
  const stop = async () => {
    await proxy?.close()
    await Promise.all(instances.map((instance) => instance.stop()))
    await redis.close()
  }
  try {
    // Known before the instances start, as it is their issuer.
    const port = options.port || (await freePort())
    const config = {
      redisUrl: redis.url,
      ...(options.bff ? { bff: { issuer: `http://localhost:${port}`, clientSecret: randomToken() } } : {}),
      hmacSecret: options.hmacSecret ?? randomToken(32),
      accessTokenDenylist: options.accessTokenDenylist ?? true,
      ...(options.passwordHashIterations ? { passwordHashIterations: options.passwordHashIterations } : {}),
    }
    const started = await Promise.allSettled(Array.from({ length: options.instances }, () => startInstance(config)))
    for (const result of started) if (result.status === 'fulfilled') instances.push(result.value)
    const failure = started.find((result) => result.status === 'rejected')
    if (failure) throw failure.reason
    proxy = await startRoundRobinProxy(
      instances.map((instance) => instance.url),
      { port },
    )
    return { url: proxy.url, redis, instances, proxy, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
