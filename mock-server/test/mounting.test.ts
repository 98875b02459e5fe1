import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockBackend } from '../src/backend.ts'
import { createMockApp } from '../src/runtimes/http.ts'
import { testOptions } from './agent.ts'

/** Two backends in one server, as the demo's dev server mounts them: one under /hs256, then one at the root. */
describe('two backends mounted in one server', () => {
  let server: Server
  let base = ''
  beforeAll(async () => {
    const app = express()
    app.use(createMockApp(createMockBackend({ ...testOptions, algorithm: 'HS256', basePath: '/hs256' }), { notFound: false }))
    app.use(createMockApp(createMockBackend(testOptions)))
    server = createServer(app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const login = (prefix: string) =>
    fetch(`${base}${prefix}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
    })
  const me = (prefix: string, token: string) => fetch(`${base}${prefix}/api/me`, { headers: { authorization: `Bearer ${token}` } })

  it('each answers its own requests, bodies intact: the first never reads what is meant for the second', async () => {
    const root = await login('')
    expect(root.status).toBe(200)
    const hs256 = await login('/hs256')
    expect(hs256.status).toBe(200)
    const rootToken = ((await root.json()) as { accessToken: string }).accessToken
    const hs256Token = ((await hs256.json()) as { accessToken: string }).accessToken

    expect((await me('', rootToken)).headers.get('server-timing')).toMatch(/^verify;dur=[\d.]+;desc="ES256"/)
    expect((await me('/hs256', hs256Token)).headers.get('server-timing')).toMatch(/^verify;dur=[\d.]+;desc="HS256"/)
    // Two backends, two keys: neither accepts the other's tokens.
    expect((await me('/hs256', rootToken)).status).toBe(401)
    expect((await me('', hs256Token)).status).toBe(401)
  })
})
