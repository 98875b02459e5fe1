import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startMockHttpServer, type RunningMockServer } from '@authlens/mock-server/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDpopProof, generateDpopKey } from '../../mock-server/test/dpop-proof.ts'
import { parseReplayRequest, replayRoute } from './replay-route.ts'

/**
 * The dev server's replay route against the real mock backend over HTTP: the thief's requests
 * leave from this process, as they do from the dev server. D2 and D10 from outside the browser.
 */
let api: RunningMockServer
let route: Server
let routeUrl: string

beforeAll(async () => {
  api = await startMockHttpServer({ controls: true })
  route = createServer(replayRoute(() => api.url))
  await new Promise<void>((resolve) => route.listen(0, '127.0.0.1', resolve))
  routeUrl = `http://127.0.0.1:${(route.address() as AddressInfo).port}/`
})

afterAll(async () => {
  route?.closeAllConnections()
  await new Promise((resolve) => route?.close(resolve))
  await api?.close()
})

const login = (proof?: string) =>
  fetch(`${api.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: api.url, ...(proof && { dpop: proof }) },
    body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
  })

async function signIn(proof?: string): Promise<string> {
  const response = await login(proof)
  expect(response.status).toBe(200)
  return ((await response.json()) as { accessToken: string }).accessToken
}

const ask = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => fetch(routeUrl, { method: 'POST', headers, body })

describe('POST /__demo/replay', () => {
  it('D2 a bearer token works from here as Bearer; a DPoP-bound one is refused as Bearer (bearer_downgrade) and with the thief’s own key (key_mismatch)', async () => {
    const bearer = await ask(JSON.stringify({ token: await signIn(), path: '/api/notes' }))
    expect(bearer.status).toBe(200)
    expect((await bearer.json()) as unknown).toMatchObject({ path: '/api/notes', attempts: [{ scheme: 'Bearer', status: 200 }, { scheme: 'DPoP', status: 401, reason: 'unbound_token' }] })

    const key = await generateDpopKey()
    const bound = await signIn(await createDpopProof(key, 'POST', `${api.url}/api/auth/login`))
    const answer = (await (await ask(JSON.stringify({ token: bound }))).json()) as { thiefJkt: string; attempts: unknown[] }
    expect(answer.attempts).toEqual([
      { scheme: 'Bearer', status: 401, error: 'invalid_token', reason: 'bearer_downgrade' },
      { scheme: 'DPoP', status: 401, error: 'invalid_dpop_proof', reason: 'key_mismatch' },
    ])
    expect(answer.thiefJkt).not.toBe(key.jkt)
  })

  it('D2 with server nonces on, the thief answers the nonce challenge and is still refused for the key', async () => {
    await fetch(`${api.url}/__mock/dpop-nonce`, { method: 'POST', headers: { 'content-type': 'application/json', origin: api.url }, body: JSON.stringify({ required: true }) })
    try {
      const key = await generateDpopKey()
      const challenged = await login(await createDpopProof(key, 'POST', `${api.url}/api/auth/login`))
      expect(challenged.status).toBe(400)
      const nonce = challenged.headers.get('dpop-nonce') ?? ''
      const bound = await signIn(await createDpopProof(key, 'POST', `${api.url}/api/auth/login`, { nonce }))
      const answer = (await (await ask(JSON.stringify({ token: bound }))).json()) as { attempts: unknown[] }
      expect(answer.attempts[1]).toEqual({ scheme: 'DPoP', status: 401, error: 'invalid_dpop_proof', reason: 'key_mismatch' })
    } finally {
      await fetch(`${api.url}/__mock/dpop-nonce`, { method: 'POST', headers: { 'content-type': 'application/json', origin: api.url }, body: JSON.stringify({ required: false }) })
    }
  })

  it('bad input gets a coded 4xx, never a 500, and sends nothing to the API', async () => {
    const served = JSON.stringify(api.backend.snapshot().requests)
    const cases: Array<[string, Promise<Response>, number, string]> = [
      ['GET', fetch(routeUrl), 405, 'method_not_allowed'],
      ['text/plain', ask('{"token":"a"}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
      ['cross-site', ask('{"token":"a"}', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }), 403, 'csrf_failed'],
      ['not JSON', ask('{"token":'), 400, 'invalid_request'],
      ['an array', ask('[]'), 400, 'invalid_request'],
      ['no token', ask('{}'), 400, 'invalid_request'],
      ['a newline in the token', ask(JSON.stringify({ token: 'a\r\nX-Evil: 1' })), 400, 'invalid_request'],
      ['another host', ask(JSON.stringify({ token: 'a', path: 'http://example.com/api/me' })), 400, 'invalid_request'],
      ['a dot segment', ask(JSON.stringify({ token: 'a', path: '/api/../__mock/reset' })), 400, 'invalid_request'],
      ['a query', ask(JSON.stringify({ token: 'a', path: '/api/me?x=1' })), 400, 'invalid_request'],
      ['1 MB', ask(JSON.stringify({ token: 'a'.repeat(1024 * 1024) })), 413, 'payload_too_large'],
    ]
    for (const [name, pending, status, code] of cases) {
      const response = await pending
      expect(response.status, name).toBe(status)
      expect(((await response.json()) as { error: string }).error, name).toBe(code)
    }
    expect(JSON.stringify(api.backend.snapshot().requests)).toBe(served)
    expect(parseReplayRequest({ token: 'abc' })).toEqual({ token: 'abc', path: '/api/me' })
  })
})
