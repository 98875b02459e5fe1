import type { AddressInfo } from 'node:net'
import type { Connect, Plugin } from 'vite'
import { createMockBackend } from '../backend.ts'
import type { MockBackendOptions } from '../config.ts'
import type { BffOptions } from '../domain/bff/config.ts'
import { ConfigurationError } from '../domain/errors.ts'
import type { OidcClientConfig } from '../domain/oidc/clients.ts'
import { createMockApp } from './http.ts'

export interface MockBackendPluginOptions extends Omit<MockBackendOptions, 'oidcClients' | 'bff'> {
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
  /**
   * The OpenID Provider's registered clients; or a function of the port the server listens on, for
   * clients served by this same server, whose redirect URIs are known only once it listens.
   */
  oidcClients?: OidcClientConfig[] | ((port: number) => OidcClientConfig[])
  /** The backend-for-frontend; or a function of the port, for URIs on this same server (where sign-out returns). */
  bff?: boolean | BffOptions | ((port: number) => BffOptions)
}

type ListeningServer = { once: (event: 'listening', listener: () => void) => unknown; address: () => AddressInfo | string | null }

const LOOPBACK_ALIASES = ['127.0.0.1', 'localhost', '[::1]']

/**
 * Mounts the HTTP runtime inside Vite's dev and preview servers, so the SPA and the backend share
 * one origin: cookies are first-party and real, with no proxy in between.
 */
export function mockBackendPlugin(input: MockBackendPluginOptions = {}): Plugin {
  const { trustLoopbackAliases = false, issuerFromServer, oidcClients, bff, ...options } = input
  const basePath = (options.basePath ?? '').replace(/\/+$/, '')
  const dependsOnPort = trustLoopbackAliases || issuerFromServer !== undefined || typeof oidcClients === 'function' || typeof bff === 'function'

  const atPort = (port: number): MockBackendOptions => ({
    ...options,
    ...(trustLoopbackAliases && { trustedOrigins: [...(options.trustedOrigins ?? []), ...LOOPBACK_ALIASES.map((host) => `http://${host}:${port}`)] }),
    ...(issuerFromServer !== undefined && { issuer: `http://${issuerFromServer}:${port}${basePath}` }),
    oidcClients: typeof oidcClients === 'function' ? oidcClients(port) : oidcClients,
    bff: typeof bff === 'function' ? bff(port) : bff,
  })
  const appFor = (resolved: MockBackendOptions) => createMockApp(createMockBackend({ controls: true, ...resolved }), { notFound: false })

  // A backend whose options name the port is created once the server listens (as the HTTP
  // runtime does), so its issuer and registrations are right from its first request.
  const mount = (middlewares: Connect.Server, httpServer: ListeningServer | null) => {
    if (!dependsOnPort) {
      middlewares.use(appFor({ ...options, oidcClients: oidcClients as OidcClientConfig[] | undefined, bff: bff as MockBackendOptions['bff'] }))
      return
    }
    if (!httpServer) throw new ConfigurationError('invalid_option', 'issuerFromServer, trustLoopbackAliases, and oidcClients or bff as a function need a server that listens (not middleware mode)')
    let app: Connect.NextHandleFunction | undefined
    httpServer.once('listening', () => {
      const address = httpServer.address()
      if (address === null || typeof address === 'string') throw new ConfigurationError('invalid_option', 'the server listens on no TCP port')
      app = appFor(atPort(address.port))
    })
    middlewares.use((request, response, next) => (app ? app(request, response, next) : next()))
  }

  return {
    name: 'authlens-mock-backend',
    configureServer: (server) => mount(server.middlewares, server.httpServer),
    configurePreviewServer: (server) => mount(server.middlewares, server.httpServer),
  }
}
