import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RoundRobinProxy {
  url: string
  server: Server
  close(): Promise<void>
}

/** Bodies the backend accepts are 16 KiB at most; buffering them lets a refused connection be retried. */
const MAX_BODY_BYTES = 1024 * 1024

/**
 * A small round-robin HTTP proxy on loopback: request n goes to upstream n mod N. The `Host`
 * header is passed through, so every instance sees the proxy's origin, as a load balancer's
 * backends see the public one (cookies and the Origin checks depend on it). An upstream that
 * refuses the connection (a killed instance) is skipped: nothing reached it, so even a POST can
 * go to the next. `X-AuthLens-Instance` says which upstream answered.
 */
export async function startRoundRobinProxy(upstreams: string[], { port = 0 } = {}): Promise<RoundRobinProxy> {
  // Idle sockets are dropped before Node's default 5 s keep-alive timeout closes them on the
  // instance's side, which would otherwise race with the next request sent on them.
  const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 })
  let next = 0
  const server = createServer((incoming, outgoing) => {
    const first = next++ % upstreams.length
    readBody(incoming)
      .then((body) => forward(incoming, outgoing, body, first, 0))
      .catch(() => fail(outgoing, 413, 'payload_too_large', 'body is larger than the proxy buffers'))
  })

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer, first: number, attempt: number): void => {
    const index = (first + attempt) % upstreams.length
    const target = new URL(incoming.url ?? '/', upstreams[index])
    const upstream = httpRequest(target, { method: incoming.method, headers: incoming.headers, agent }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-authlens-instance': String(index) })
      answer.pipe(outgoing)
    })
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      // ECONNRESET on a reused keep-alive socket: the instance closed it (or died) before reading
      // the request. Either way nothing was processed, so the next upstream (with a single one:
      // a fresh connection to it) may have it.
      const undelivered = error.code === 'ECONNREFUSED' || (error.code === 'ECONNRESET' && upstream.reusedSocket)
      if (undelivered && attempt < upstreams.length && !outgoing.headersSent) forward(incoming, outgoing, body, first, attempt + 1)
      else if (!outgoing.headersSent) fail(outgoing, 502, 'bad_gateway', `no instance answered (${error.code ?? error.message})`)
      else outgoing.destroy()
    })
    upstream.end(body)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const { port: bound } = server.address() as AddressInfo
  return {
    url: `http://localhost:${bound}`,
    server,
    close: () =>
      new Promise((resolve) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        incoming.removeAllListeners('data')
        incoming.resume()
        reject(new Error('too large'))
      } else chunks.push(chunk)
    })
    incoming.once('end', () => resolve(Buffer.concat(chunks)))
    incoming.once('error', reject)
  })
}

function fail(outgoing: ServerResponse, status: number, error: string, description: string): void {
  outgoing.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  outgoing.end(JSON.stringify({ error, error_description: description }))
}
