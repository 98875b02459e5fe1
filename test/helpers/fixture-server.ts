import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mockBackendPlugin, type MockBackendPluginOptions } from '@authlens/mock-server/vite'
import { createServer, type Plugin, type ViteDevServer } from 'vite'

export interface PageServer {
  url: string
  close(): Promise<void>
}

export interface FixtureServer extends PageServer {
  /** `GET /__mock/stats`: the backend's counters. */
  stats(): Promise<{ refreshes: number; reuseDetections: number; logins: number; [counter: string]: unknown }>
  /** `POST /__mock/reset`: forgets sign-ins and zeroes the counters. */
  reset(): Promise<void>
}

export interface PageServerOptions {
  /** A loopback address other than 127.0.0.1 gives a separate origin and cookie jar in one browser. */
  host?: string
  /** The SDK entries the page imports, pre-bundled before the first load. */
  sdkEntries?: string[]
  plugins?: Plugin[]
}

/**
 * A test page (a directory with an `index.html`, served for every path) in a Vite dev server on a
 * free port, with the SDK as the page imports it: through its package entries.
 */
export async function startPageServer(fixture: string, { host = '127.0.0.1', sdkEntries = ['@authlens/sdk'], plugins = [] }: PageServerOptions = {}): Promise<PageServer> {
  const root = fileURLToPath(new URL(`../e2e/fixtures/${fixture}/`, import.meta.url))
  const server: ViteDevServer = await createServer({
    root,
    configFile: false,
    configLoader: 'runner',
    logLevel: 'error',
    // Its own cache, so it never races another dev server's dependency optimisation.
    cacheDir: join(tmpdir(), `authlens-vite-${fixture}-${host}`),
    // The SDK pre-bundled into one module: twenty-five tabs loading its thirty source modules one
    // by one, on two cores, took seconds per tab. Forced, so it is re-bundled from the current
    // source on every start (a linked package's source changes would not invalidate the cache).
    // Known up front, too: a dependency discovered on first load would make Vite reload open pages.
    optimizeDeps: { include: sdkEntries, force: true },
    plugins,
    server: { port: 0, host, hmr: false },
  })
  await server.listen()
  // Vite lists 127.0.0.2 and up as network URLs, not local ones: build it from the socket.
  const address = server.httpServer?.address()
  if (!address || typeof address === 'string') throw new Error('the fixture server did not report its port')
  return { url: `http://${host}:${address.port}`, close: () => server.close() }
}

/**
 * A test page with the real HTTP mock backend mounted on the same origin: real cookies, real
 * HttpOnly.
 */
export async function startFixtureServer(fixture: string, backend: MockBackendPluginOptions = {}, page: Omit<PageServerOptions, 'plugins'> = {}): Promise<FixtureServer> {
  const server = await startPageServer(fixture, { ...page, plugins: [mockBackendPlugin({ passwordHashIterations: 1_000, ...backend })] })
  const { url } = server
  return {
    ...server,
    stats: async () => (await (await fetch(`${url}/__mock/stats`)).json()) as Awaited<ReturnType<FixtureServer['stats']>>,
    reset: async () => {
      const response = await fetch(`${url}/__mock/reset`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: '{}' })
      if (!response.ok) throw new Error(`reset failed: ${response.status}`)
    },
  }
}
