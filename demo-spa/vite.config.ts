import { mockBackendPlugin } from '@authlens/mock-server/vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import { replayRoute } from './server/replay-route.ts'
import { demoBackendOptions, demoBff, demoOidcClients, hs256Service, oidcApp, PROVIDER_HOST, tokenMediatingService } from './src/backend-options.ts'
import { REPLAY_ROUTE } from './src/replay-elsewhere.ts'

/** `npm start` names both apps of the single sign-on demo, on the port the server got. */
function printAppUrls(): Plugin {
  return {
    name: 'authlens-print-app-urls',
    configureServer(server) {
      const printUrls = server.printUrls
      server.printUrls = () => {
        printUrls()
        const address = server.httpServer?.address()
        if (!address || typeof address === 'string') return
        const [a, b] = [oidcApp('a', address.port), oidcApp('b', address.port)]
        server.config.logger.info(`  ➜  App A (OpenID Connect mode): ${a.home}?mode=oidc`)
        server.config.logger.info(`  ➜  App B (another origin, single sign-on): ${b.home}`)
      }
    },
  }
}

/**
 * The thief's machine for the break-it replay and the lab's theft experiment: a route of the dev
 * server, so the stolen token is presented from Node, outside the page and without its key. Here
 * rather than in the mock backend, which stays a backend that never sends a request of its own.
 */
function replayFromNode(): Plugin {
  return {
    name: 'authlens-replay-from-node',
    configureServer(server) {
      const origin = () => {
        const address = server.httpServer?.address()
        return address && typeof address !== 'string' ? `http://${PROVIDER_HOST}:${address.port}` : undefined
      }
      server.middlewares.use(REPLAY_ROUTE, replayRoute(origin))
    },
  }
}

/**
 * Default mode: the mock backend is mounted in the dev server (real cookies, real HttpOnly).
 * `--mode worker`: no server at all; the backend runs in MSW's service worker, for static hosting.
 */
export default defineConfig(({ mode }) => ({
  plugins: [
    react(),
    ...(mode === 'worker'
      ? []
      : [
          // Before the backends: the main one reads every request's body, matched by a route or not.
          replayFromNode(),
          // The lab's HS256 service: the same backend signing with a shared secret, under /hs256, so
          // the performance experiment can time both signature algorithms. Before the main backend, because
          // the main backend's routes match under any prefix (`*/api/me` also matches /hs256/api/me).
          mockBackendPlugin({ ...demoBackendOptions, ...hs256Service }),
          // The lab's token-mediating backend, mounted before the main one for the same reason.
          mockBackendPlugin({ ...demoBackendOptions, ...tokenMediatingService, trustLoopbackAliases: true, issuerFromServer: PROVIDER_HOST, bff: { tokenMediating: true } }),
          // trustLoopbackAliases: the lab's cross-domain experiment calls the API at http://localhost:PORT
          // from the page at http://127.0.0.1:PORT, a second origin served by the same backend. The
          // same backend is the OpenID Provider of app A (127.0.0.1) and app B (localhost), and the BFF mode's backend-for-frontend.
          mockBackendPlugin({ ...demoBackendOptions, trustLoopbackAliases: true, issuerFromServer: PROVIDER_HOST, oidcClients: demoOidcClients, bff: demoBff }),
          printAppUrls(),
        ]),
  ],
  // App B is a page of its own, so the static build carries it too.
  build: { rolldownOptions: { input: ['index.html', 'app-b/index.html'].map((page) => fileURLToPath(new URL(page, import.meta.url))) } },
  // cors: false, because Vite's own CORS middleware runs first and admits every loopback origin;
  // the mock backend alone must decide, or the lab would measure Vite instead of the backend.
  server: { port: Number(process.env.PORT ?? 5173), host: '127.0.0.1', cors: false },
  preview: { port: Number(process.env.PORT ?? 4173), host: '127.0.0.1', cors: false },
}))
