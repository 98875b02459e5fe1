import { fileURLToPath } from 'node:url'
import { createServer, type ViteDevServer } from 'vite'

/**
 * The demo SPA as `npm start` serves it (mock backend mounted in the dev server), or in `worker`
 * mode (backend in MSW's service worker), on a free port.
 */
export async function startDemoServer(mode: 'development' | 'worker' = 'development'): Promise<{ url: string; close: () => Promise<void> }> {
  const root = fileURLToPath(new URL('../../demo-spa/', import.meta.url))
  const server: ViteDevServer = await createServer({
    root,
    mode,
    configFile: `${root}vite.config.ts`,
    configLoader: 'runner',
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1' },
  })
  await server.listen()
  const url = server.resolvedUrls?.local[0]
  if (!url) throw new Error('the demo server did not report its URL')
  return { url: url.replace(/\/$/, ''), close: () => server.close() }
}
