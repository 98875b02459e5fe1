import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryStore } from '../src/store/memory.ts'
import type { AuthStateStore } from '../src/store/types.ts'
import { httpAgent, type Agent } from './agent.ts'
import { BFF_COOKIE, csrfHeaders, locationPath, watchHeldTokens, readable, signInThroughBff } from './bff.ts'

/**
 * The BFF over the real HTTP runtime: real sockets, real `Set-Cookie`, and the BFF's calls to the
 * provider and the API going out over loopback to the server's own address (the issuer).
 */
let agent: Agent
let store: AuthStateStore
let close: () => Promise<void>

beforeAll(async () => {
  store = createMemoryStore()
  ;({ agent, close } = await httpAgent({ issuerFromServer: true, bff: true, store }))
})
afterAll(() => close())

/** A request exactly as written, path included: `fetch` and `URL` would resolve dot segments first. */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(agent.origin)
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ host: hostname === 'localhost' ? '127.0.0.1' : hostname, port, path, headers }, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    sent.once('error', reject)
    sent.end()
  })
}

describe('BFF over real HTTP', () => {
  it('a BFF that is not token-mediating has no /bff/token (404, where a token-mediating one answers 401 without a session)', async () => {
    expect((await agent.request('GET', '/bff/token')).status).toBe(404)
  })

  it('B1 over real HTTP: a full flow, with a refresh, leaves no access or refresh token in anything the page reads', async () => {
    const { seen, tokens, hold } = watchHeldTokens(store, agent)
    for (const response of await signInThroughBff(agent, '/app?tab=1')) await hold(response)
    await hold(await agent.request('GET', '/bff/session'))
    expect((await hold(await agent.request('GET', '/bff/api/me'))).body).toMatchObject({ user: { id: 'u_alice' } })
    await hold(await agent.request('POST', '/bff/api/notes', { json: { text: 'over HTTP' }, headers: csrfHeaders(agent) }))
    expect((await agent.request('POST', '/__mock/clock', { json: { offsetSeconds: 301 } })).status).toBe(200)
    expect((await hold(await agent.request('GET', '/bff/api/notes'))).status).toBe(200)
    const logout = await hold(await agent.request('POST', '/bff/logout', { json: {}, headers: csrfHeaders(agent) }))
    expect(logout.body).toMatchObject({ signedOut: true, revoked: true })
    await hold(await agent.request('GET', locationPath({ ...logout, headers: new Headers({ location: logout.body.endSessionUrl }) })))

    expect(tokens.size).toBe(4)
    for (const response of seen) for (const token of tokens) expect(readable(response).includes(token)).toBe(false)
    expect((await agent.backend.readSnapshot()).bff).toMatchObject({ signIns: 1, signOuts: 1, refreshes: 1, proxied: 3 })
    await agent.request('POST', '/__mock/clock', { json: { offsetSeconds: 0 } })
  })

  it('B3 over real HTTP: paths written with .. and encoded traversal never reach the API through the proxy; the Host header does not steer it', async () => {
    await signInThroughBff(agent)
    const cookie = `${BFF_COOKIE}=${agent.cookies.get(BFF_COOKIE)}`
    const before = (await agent.backend.readSnapshot()).bff.proxied
    for (const path of ['/bff/api/..%2f..%2f__mock%2fstats', '/bff/api/%2e%2e%2foauth%2ftoken', '/bff/api/%2F%2Fattacker.example%2F', '/bff/api//attacker.example/']) {
      const answer = await raw(path, { cookie })
      expect(answer.status, path).toBe(400)
      expect(JSON.parse(answer.body), path).toMatchObject({ error: 'invalid_request' })
    }
    // Dot segments, plain or percent-encoded, are resolved when the server parses the URL (WHATWG URL):
    // the request lands on another route of this server, as a browser would have sent it, not on the proxy.
    for (const path of ['/bff/api/../../__mock/stats', '/bff/api/me/../../../oauth/token', '/bff/api/%2e%2e/%2e%2e/oauth/token']) {
      expect((await raw(path, { cookie })).status, path).not.toBe(400)
    }
    expect((await agent.backend.readSnapshot()).bff.proxied).toBe(before)

    // An absolute-form request target or a forged Host names another host: the proxy's target comes
    // from its configuration alone. (Off loopback the cookie has no __Host- prefix.)
    const offLoopback = `bff=${agent.cookies.get(BFF_COOKIE)}`
    for (const [path, host] of [['http://attacker.example/bff/api/me', 'attacker.example'], ['/bff/api/me', 'attacker.example']] as const) {
      const answer = await raw(path, { cookie: offLoopback, host })
      expect(answer.status, path).toBe(200)
      expect(JSON.parse(answer.body), path).toMatchObject({ user: { id: 'u_alice' }, via: 'bearer' })
    }
    expect((await agent.backend.readSnapshot()).bff.proxied).toBe(before + 2)
  })
})
