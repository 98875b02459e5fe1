import { parseArgs } from 'node:util'
import { startCluster, type Cluster } from './cluster.ts'

/**
 * `npm run cluster [-- --instances N --port P]`: Redis, N backend instances and a round-robin
 * proxy, all on loopback, the backend-for-frontend on (its issuer the proxy's URL); Ctrl-C stops
 * everything it started.
 */
const { values } = parseArgs({
  options: { instances: { type: 'string', default: '2' }, port: { type: 'string', default: '4000' } },
})

let cluster: Cluster | undefined
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  if (!cluster) return
  console.log('\nstopping the proxy, the instances and Redis…')
  void cluster.stop().then(() => process.exit(0))
}
// Listening before anything starts: a Ctrl-C during start-up stops what has started once it has.
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

try {
  cluster = await startCluster({
    instances: Number(values.instances),
    port: Number(values.port),
    bff: true,
    ...(process.env.AUTHLENS_HMAC_SECRET ? { hmacSecret: process.env.AUTHLENS_HMAC_SECRET } : {}),
  })
} catch (error) {
  const code = (error as { code?: string }).code
  console.error(`could not start the cluster${code ? ` [${code}]` : ''}: ${(error as Error).message}`)
  process.exit(code === 'redis_server_missing' ? 3 : 1)
}

if (stopping) {
  stopping = false
  stop()
} else {
  console.log(`AuthLens cluster: ${cluster.instances.length} instances behind ${cluster.url} (round robin)`)
  cluster.instances.forEach((instance, index) => console.log(`  instance ${index}: ${instance.url} (pid ${instance.child.pid})`))
  console.log(`  BFF: ${cluster.url}/bff/login (issuer ${cluster.url})`)
  console.log(`  Redis: ${cluster.redis.url} (pid ${cluster.redis.pid()}), append-only file in ${cluster.redis.dir}`)
  console.log('Ctrl-C stops everything.')
}
