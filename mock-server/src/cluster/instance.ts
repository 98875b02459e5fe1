import { startMockHttpServer } from '../runtimes/http.ts'
import { createRedisStore } from '../store/redis/index.ts'

/**
 * One backend instance of the cluster, in its own process: the HTTP runtime with its state in the
 * shared Redis and the shared HS256 secret, so any instance serves and verifies any sign-in. The
 * secrets come in the environment, never on the command line, where `ps` would show them; with a
 * BFF secret, the BFF is on, registered at the shared issuer (the proxy's URL). Reports `{"url"}`
 * (or `{"error"}`) as one JSON line on stdout; exits when its parent goes away (stdin closes), so
 * an interrupted cluster leaves no instance behind.
 */
const env = process.env
const report = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`)

try {
  const store = await createRedisStore({ url: env.AUTHLENS_REDIS_URL ?? '', prefix: env.AUTHLENS_REDIS_PREFIX ?? 'authlens:' })
  const running = await startMockHttpServer({
    port: 0,
    controls: true,
    store,
    algorithm: 'HS256',
    hmacSecret: env.AUTHLENS_HMAC_SECRET,
    accessTokenDenylist: env.AUTHLENS_ACCESS_TOKEN_DENYLIST !== 'off',
    ...(env.AUTHLENS_PASSWORD_HASH_ITERATIONS ? { passwordHashIterations: Number(env.AUTHLENS_PASSWORD_HASH_ITERATIONS) } : {}),
    ...(env.AUTHLENS_BFF_SECRET ? { issuer: env.AUTHLENS_ISSUER, bff: { clientSecret: env.AUTHLENS_BFF_SECRET } } : {}),
  })
  const stop = () => void Promise.all([running.close(), store.close()]).finally(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.stdin.once('end', stop).resume()
  report({ url: running.url })
} catch (error) {
  report({ error: (error as Error).message, code: (error as { code?: string }).code })
  process.exit(1)
}
