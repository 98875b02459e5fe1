import { afterEach } from 'vitest'
import { freePort } from '../src/cluster/free-port.ts'
import { startRoundRobinProxy } from '../src/cluster/proxy.ts'
import type { MockBackendOptions } from '../src/config.ts'
import { randomToken } from '../src/domain/random.ts'
import { startMockHttpServer, type RunningMockServer } from '../src/runtimes/http.ts'
import { Agent, testOptions } from './agent.ts'
import { uniquePrefix, type useLocalRedis } from './redis.ts'

/**
 * Several backend instances in this process, each with its own Redis connection and the one HS256
 * secret they share, as the cluster runs them, and the round-robin proxy in front. `agents[i]`
 * talks to instance i, `viaProxy` to whichever the proxy picks; all share one cookie jar: the
 * same browser, whichever instance answers. `options` may depend on the proxy's URL (an issuer
 * every instance shares is the one the browser sees).
 */
export function useInstances(redis: ReturnType<typeof useLocalRedis>) {
  const opened: Array<{ close: () => Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()))
  })
  return async (count: number, options: MockBackendOptions | ((proxyUrl: string) => MockBackendOptions) = {}) => {
    const prefix = uniquePrefix()
    const hmacSecret = randomToken(32)
    const port = await freePort()
    const shared = typeof options === 'function' ? options(`http://localhost:${port}`) : options
    const instances: RunningMockServer[] = []
    for (let i = 0; i < count; i++) {
      const running = await startMockHttpServer({ ...testOptions, store: await redis.store(prefix), algorithm: 'HS256', hmacSecret, ...shared })
      opened.push(running)
      instances.push(running)
    }
    const proxy = await startRoundRobinProxy(
      instances.map((instance) => instance.url),
      { port },
    )
    opened.push(proxy)
    const jar = new Map<string, string>()
    const agentFor = (origin: string, instance: RunningMockServer) =>
      new Agent(instance.backend, (request) => fetch(request, { redirect: 'manual' }), origin, jar)
    return {
      instances,
      proxy,
      agents: instances.map((instance) => agentFor(instance.url, instance)),
      viaProxy: agentFor(proxy.url, instances[0]!),
    }
  }
}
