import type { AddressInfo } from 'node:net'
import type { Plugin } from 'vite'
import { createMockBackend } from '../backend.ts'
import type { MockBackendOptions } from '../config.ts'
import { createMockApp } from './http.ts'

export interface MockBackendPluginOptions extends MockBackendOptions {
  /**
   * Trust the server's other loopback names on the same port (`127.0.0.1`, `localhost`, `[::1]`)
   * as CORS origins. They are different origins and sites to the browser but the same server, so
   * the demo can call its own API "cross-domain". The port is known only once the server listens.
   */
  trustLoopbackAliases?: boolean
  /**
   * A loopback host name (`127.0.0.1`, `localhost`): once the server listens, the issuer becomes
   * `http://<host>:<port><basePath>`, where this server serves discovery. For an OpenID Provider
   * on a port known only at start; with a fixed port, pass `issuer` itself instead.
   */
  issuerFromServer?: string
}

/**
 * Mounts the HTTP runtime inside Vite's dev and preview servers, so the SPA and the backend share
 * one origin: cookies are first-party and real, with no proxy in between.
 */
export function mockBackendPlugin(input: MockBackendPluginOptions = {}): Plugin {
  const { trustLoopbackAliases = false, issuerFromServer, ...options } = input
  // Until the port is known, the issuer names the host alone; nothing is served before that.
  const placeholder = issuerFromServer === undefined ? {} : { issuer: `http://${issuerFromServer}${(options.basePath ?? '').replace(/\/+$/, '')}` }
  const backend = createMockBackend({ controls: true, ...options, ...placeholder })
  const app = createMockApp(backend, { notFound: false })
  const trustAliases = (httpServer: { once: (event: 'listening', listener: () => void) => unknown; address: () => AddressInfo | string | null } | null) => {
    if (!httpServer) return
    httpServer.once('listening', () => {
      const address = httpServer.address()
      if (address === null || typeof address === 'string') return
      // The resolved options are read per request, so origins added now take effect at once.
      if (trustLoopbackAliases) backend.options.trustedOrigins.push(...['127.0.0.1', 'localhost', '[::1]'].map((host) => `http://${host}:${address.port}`))
      if (issuerFromServer !== undefined) backend.setIssuer(`http://${issuerFromServer}:${address.port}${backend.options.basePath}`)
    })
  }
  return {
    name: 'authlens-mock-backend',
    configureServer(server) {
      trustAliases(server.httpServer)
      server.middlewares.use(app)
    },
    configurePreviewServer(server) {
      trustAliases(server.httpServer)
      server.middlewares.use(app)
    },
  }
}
