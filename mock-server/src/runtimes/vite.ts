import type { Plugin } from 'vite'
import { createMockBackend } from '../backend.ts'
import type { MockBackendOptions } from '../config.ts'
import { createMockApp } from './http.ts'

/**
 * Mounts the HTTP runtime inside Vite's dev and preview servers, so the SPA and the backend share
 * one origin: cookies are first-party and real, with no proxy in between.
 */
export function mockBackendPlugin(options: MockBackendOptions = {}): Plugin {
  const backend = createMockBackend({ controls: true, ...options })
  const app = createMockApp(backend, { notFound: false })
  return {
    name: 'authlens-mock-backend',
    configureServer(server) {
      server.middlewares.use(app)
    },
    configurePreviewServer(server) {
      server.middlewares.use(app)
    },
  }
}
