import { startMockHttpServer } from './runtimes/http.ts'

const port = Number(process.env.PORT ?? 4000)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`)
  process.exit(2)
}

try {
  const running = await startMockHttpServer({ port, host: process.env.HOST ?? '127.0.0.1', controls: true })
  console.log(`AuthLens mock backend listening on ${running.url}`)
  console.log(`  JWT:     POST ${running.url}/api/auth/login   {"username":"alice","password":"wonderland"}`)
  console.log(`  Session: POST ${running.url}/api/session/login`)
  console.log(`  OAuth 2: ${running.url}/.well-known/oauth-authorization-server`)
  const stop = () => void running.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
} catch (error) {
  console.error(`could not start the mock backend: ${(error as Error).message}`)
  process.exit(1)
}
