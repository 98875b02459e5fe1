import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../src/cluster/free-port.ts'
import { startRoundRobinProxy, type RoundRobinProxy } from '../src/cluster/proxy.ts'

const opened: Array<Server | RoundRobinProxy> = []
afterEach(async () => {
  for (const item of opened.splice(0)) {
    if ('url' in item) await item.close()
    else await new Promise((resolve) => (item.closeAllConnections(), item.close(resolve)))
  }
})

/** An upstream that answers with its name and the Host it was sent; `drop(n)` closes the connection, unanswered, at its nth request. */
async function upstream(name: string, drop?: (requestOnSocket: number) => boolean): Promise<string> {
  const perSocket = new Map<Socket, number>()
  const server = createServer((request, response) => {
    const count = (perSocket.get(request.socket) ?? 0) + 1
    perSocket.set(request.socket, count)
    if (drop?.(count)) return void request.socket.destroy()
    response.end(JSON.stringify({ name, host: request.headers.host }))
  })
  opened.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function proxyTo(upstreams: string[]): Promise<RoundRobinProxy> {
  const proxy = await startRoundRobinProxy(upstreams)
  opened.push(proxy)
  return proxy
}

describe('round-robin proxy', () => {
  it('alternates between upstreams and passes the public Host through', async () => {
    const proxy = await proxyTo([await upstream('a'), await upstream('b')])
    const answers = []
    for (let i = 0; i < 4; i++) {
      const response = await fetch(proxy.url)
      answers.push({ ...((await response.json()) as object), instance: response.headers.get('x-authlens-instance') })
    }
    const host = new URL(proxy.url).host
    expect(answers).toEqual([
      { name: 'a', host, instance: '0' },
      { name: 'b', host, instance: '1' },
      { name: 'a', host, instance: '0' },
      { name: 'b', host, instance: '1' },
    ])
  })

  it('skips an upstream that refuses connections, POST included: nothing reached it', async () => {
    const proxy = await proxyTo([`http://127.0.0.1:${await freePort()}`, await upstream('live')])
    for (let i = 0; i < 3; i++) {
      const response = await fetch(proxy.url, { method: 'POST', body: '{}' })
      expect(await response.json()).toMatchObject({ name: 'live' })
    }
  })

  it('retries a request whose reused connection was closed before it was read, even with one upstream', async () => {
    const proxy = await proxyTo([await upstream('only', (count) => count === 2)])
    for (let i = 0; i < 3; i++) expect((await fetch(proxy.url, { method: 'POST', body: '{}' })).status).toBe(200)
  })

  it('answers 502 with a code when no upstream answers', async () => {
    const proxy = await proxyTo([`http://127.0.0.1:${await freePort()}`])
    const response = await fetch(proxy.url)
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({ error: 'bad_gateway' })
  })
})
