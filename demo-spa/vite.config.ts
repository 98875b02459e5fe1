import { mockBackendPlugin } from '@authlens/mock-server/vite'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { demoBackendOptions, hs256Service } from './src/backend-options.ts'

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
          // The lab's HS256 service: the same backend signing with a shared secret, under /hs256, so
          // the performance experiment can time both signature algorithms. Mounted first, because
          // the main backend's routes match under any prefix (`*/api/me` also matches /hs256/api/me).
          mockBackendPlugin({ ...demoBackendOptions, ...hs256Service }),
          // trustLoopbackAliases: the lab's cross-domain experiment calls the API at http://localhost:PORT
          // from the page at http://127.0.0.1:PORT, a second origin served by the same backend.
          mockBackendPlugin({ ...demoBackendOptions, trustLoopbackAliases: true }),
        ]),
  ],
  // cors: false, because Vite's own CORS middleware runs first and admits every loopback origin;
  // the mock backend alone must decide, or the lab would measure Vite instead of the backend.
  server: { port: Number(process.env.PORT ?? 5173), host: '127.0.0.1', cors: false },
  preview: { port: Number(process.env.PORT ?? 4173), host: '127.0.0.1', cors: false },
}))
