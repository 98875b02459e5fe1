import { createServer, type RequestListener } from 'node:http'

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, known before anything is served. */
  url: string
  /** What the server answers with from now on; until then, 503. */
  serve(listener: RequestListener): void
  close(): Promise<void>
}

/**
 * An HTTP server on a free loopback port that learns what it serves after it listens: for
 * services configured with each other's URLs (a provider names its API as an audience, the API
 * names the provider as its issuer), and never a port picked, freed and hoped to stay free.
 */
export async function listenOnLoopback(): Promise<LoopbackServer> {
  let listener: RequestListener = (_request, response) => void response.writeHead(503).end()
  const server = createServer((request, response) => listener(request, response))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('the loopback server did not get a port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    serve: (next) => {
      listener = next
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
