import { mockBackendPlugin } from '@authlens/mock-server/vite'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { demoBackendOptions } from './src/backend-options.ts'

/**
 * Default mode: the mock backend is mounted in the dev server (real cookies, real HttpOnly).
 * `--mode worker`: no server at all; the backend runs in MSW's service worker, for static hosting.
 */
export default defineConfig(({ mode }) => ({
  plugins: [react(), ...(mode === 'worker' ? [] : [mockBackendPlugin(demoBackendOptions)])],
  server: { port: Number(process.env.PORT ?? 5173), host: '127.0.0.1' },
  preview: { port: Number(process.env.PORT ?? 4173), host: '127.0.0.1' },
}))
