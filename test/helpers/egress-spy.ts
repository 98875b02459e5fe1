import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'

export interface EgressSpy {
  /** `--proxy-server` value for Chromium. */
  proxy: string
  /** Every request that tried to leave the machine: `METHOD url` or `CONNECT host:port`. */
  attempts: string[]
  close(): Promise<void>
}

/**
 * A proxy that forwards nothing. Chromium sends every non-loopback request through its
 * `--proxy-server` (loopback bypasses proxies by default), from pages, the DevTools front end,
 * extension pages and service workers alike, so whatever arrives here is a request that would
 * have left the machine: it is recorded and refused. It cannot tell who sent it (Chromium's own
 * services come here too): egress-watch.ts attributes requests to the extension or the page.
 */
export async function startEgressSpy(): Promise<EgressSpy> {
  const attempts: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((request, response) => {
    attempts.push(`${request.method ?? '?'} ${request.url ?? '?'}`)
    response.writeHead(403, { 'content-type': 'text/plain' }).end('blocked by the AuthLens egress spy')
  })
  server.on('connect', (request, socket: Socket) => {
    attempts.push(`CONNECT ${request.url ?? '?'}`)
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('the egress spy did not get a port')
  return {
    proxy: `http://127.0.0.1:${address.port}`,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
