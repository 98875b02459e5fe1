import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMiddleware } from '@mswjs/http-middleware'
import express, { type Express } from 'express'
import { createMockBackend, type MockBackend } from '../backend.ts'
import type { MockBackendOptions } from '../config.ts'

/**
 * The same handlers over real HTTP, so `Set-Cookie`, `HttpOnly` and `SameSite` are what a browser
 * really receives. The app is also connect middleware: the demo's Vite server mounts it.
 *
 * With a `basePath`, only requests under it reach the handlers. The handlers' middleware reads a
 * request's body before it knows whether a handler matches, so an app mounted after this one (a
 * second backend, say) would otherwise get its requests with their bodies already gone.
 */
export function createMockApp(backend: MockBackend, { notFound = true } = {}): Express {
  const app = express()
  app.disable('x-powered-by')
  app.use(drainUnreadBodies)
  const handlers = createMiddleware(...backend.handlers)
  const { basePath } = backend.options
  app.use((request, response, next) => {
    const path = request.url.split('?')[0] ?? ''
    if (basePath === '' || path === basePath || path.startsWith(`${basePath}/`)) handlers(request, response, next)
    else next()
  })
  if (notFound) {
    app.use((_request, response) => {
      response.status(404).set('Cache-Control', 'no-store').json({ error: 'not_found', error_description: 'no such endpoint' })
    })
  }
  return app
}

/**
 * A refused body (413, 415, 403) is answered without being read to the end, and the stream adapter
 * in front of the handlers keeps the request paused, so Node never discards the rest: the client's
 * upload stalls, and the next request on that keep-alive connection hangs. Once the answer is sent,
 * pull what is left off the wire, as Node does for bodies nobody started reading.
 */
function drainUnreadBodies(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  response.once('finish', () => {
    if (request.complete) return
    request.removeAllListeners('data')
    request.resume()
  })
  next()
}

export interface RunningMockServer {
  backend: MockBackend
  server: Server
  url: string
  close: () => Promise<void>
}

/**
 * Starts the backend on loopback. `port: 0` picks a free port. `issuerFromServer` makes the
 * issuer the server's own URL (plus `basePath`), known only once it listens: what an OpenID
 * Provider on a picked port needs, as clients fetch discovery from the issuer.
 */
export async function startMockHttpServer(
  options: MockBackendOptions & { port?: number; host?: string; issuerFromServer?: boolean } = {},
): Promise<RunningMockServer> {
  const { port = 0, host = '127.0.0.1', issuerFromServer = false, ...backendOptions } = options
  // Node refuses headers over 16 KB with a bare 431; let oversized tokens reach the handlers,
  // which answer with a coded 401 like the other runtimes (M6, M38).
  const server = createServer({ maxHeaderSize: 256 * 1024 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const address = server.address() as AddressInfo
  const url = `http://${host === '127.0.0.1' || host === '::1' ? 'localhost' : host}:${address.port}`
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections()
      server.close((error) => (error ? reject(error) : resolve()))
    })
  try {
    const backend = createMockBackend(issuerFromServer ? { ...backendOptions, issuer: `${url}${(backendOptions.basePath ?? '').replace(/\/+$/, '')}` } : backendOptions)
    await backend.ready
    server.on('request', createMockApp(backend))
    return { backend, server, url, close }
  } catch (error) {
    await close()
    throw error
  }
}
