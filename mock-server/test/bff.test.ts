import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMockBackend } from '../src/backend.ts'
import type { MockBackendOptions } from '../src/config.ts'
import { ConfigurationError } from '../src/domain/errors.ts'
import { createMemoryStore } from '../src/store/memory.ts'
import { Agent, testOptions } from './agent.ts'
import { BFF_COOKIE, BFF_CSRF, csrfHeaders, heldTokens, locationPath, watchHeldTokens, readable, signInThroughBff } from './bff.ts'
import { authorizePath, codeRequest, ISSUER, pkce, redirectParams, SPA, submitLogin } from './oidc.ts'

/**
 * The backend-for-frontend through msw/node: the browser's requests and the BFF's own requests to
 * the provider and the API (over `fetch`, as a BFF on another machine would make them) are all
 * answered by the same handlers. A fresh backend per test, behind the one interceptor.
 */
const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

let now = Date.UTC(2030, 0, 1, 12)

function bffBackend(options: MockBackendOptions = {}) {
  now = Date.UTC(2030, 0, 1, 12)
  const store = createMemoryStore(() => now)
  const backend = createMockBackend({ ...testOptions, issuer: ISSUER, oidcClients: [SPA], bff: true, store, now: () => now, ...options })
  server.use(...backend.handlers)
  const agent = new Agent(backend, (request) => fetch(request, { redirect: 'manual' }), ISSUER)
  return { backend, store, agent }
}

/** Moves every clock of the backend past the access token's lifetime (300 s) and the BFF's leeway. */
const pastAccessExpiry = () => void (now += 301_000)

describe('BFF: sign-in', () => {
  it('signs in as a confidential client: code + PKCE at the provider, the code redeemed with the secret, a session cookie for the browser', async () => {
    const { agent, backend } = bffBackend()
    const [start, , , callback] = await signInThroughBff(agent)
    const authorize = new URL(start.headers.get('location')!)
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${ISSUER}/oauth/authorize`)
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: 'authlens-bff',
      redirect_uri: `${ISSUER}/bff/callback`,
      response_type: 'code',
      scope: 'openid profile email offline_access',
      code_challenge_method: 'S256',
    })
    expect(authorize.searchParams.get('state')).toHaveLength(43)
    expect(authorize.searchParams.get('nonce')).toHaveLength(43)
    const binding = start.setCookies.find((line) => line.startsWith('__Host-bff-login='))!
    for (const attribute of ['HttpOnly', 'SameSite=Lax', 'Secure']) expect(binding).toContain(attribute)

    const session = callback.setCookies.find((line) => line.startsWith(`${BFF_COOKIE}=`))!
    for (const attribute of ['Path=/', 'SameSite=Strict', 'Secure', 'HttpOnly']) expect(session).toContain(attribute)
    expect(session).not.toMatch(/Domain=/i)
    const csrf = callback.setCookies.find((line) => line.startsWith(`${BFF_CSRF}=`))!
    expect(csrf).toContain('SameSite=Strict')
    expect(csrf).not.toContain('HttpOnly')

    const who = await agent.request('GET', '/bff/session')
    expect(who.status).toBe(200)
    expect(who.body).toMatchObject({ user: { sub: 'u_alice', name: 'Alice Liddell', preferred_username: 'alice', email: expect.any(String) } })
    expect(Object.keys(who.body).sort()).toEqual(['absoluteExpiresAt', 'expiresAt', 'tokens', 'user'])
    // What the record holds, for the page to show: an expiry and a yes, never a value.
    expect(who.body.tokens).toEqual({ accessTokenExpiresAt: new Date(now + 300_000).toISOString(), refreshToken: true })
    const stats = await backend.readSnapshot()
    expect(stats).toMatchObject({ codeRedemptions: 1, liveBffSessions: 1, bff: { signIns: 1 } })
    expect(stats.responses['POST /oauth/token 200']).toBe(1)
  })

  it('refuses a callback this browser did not start (state not bound to it), a replayed one, and a foreign iss: no code is redeemed', async () => {
    const { agent, backend } = bffBackend()
    const start = await agent.request('GET', '/bff/login')
    const page = await agent.request('GET', locationPath(start))
    const callbackPath = locationPath(await submitLogin(agent, page))

    const otherBrowser = new Agent(backend, (request) => fetch(request, { redirect: 'manual' }), ISSUER)
    expect((await otherBrowser.request('GET', callbackPath)).body).toMatchObject({ error: 'invalid_request', reason: 'state' })
    const forged = new URL(callbackPath, ISSUER)
    forged.searchParams.set('iss', 'https://attacker.example')
    expect((await agent.request('GET', `${forged.pathname}${forged.search}`)).body).toMatchObject({ error: 'invalid_request', reason: 'iss' })
    // The login cookie is spent with the first answer, good or bad: the real one now fails too.
    expect((await agent.request('GET', callbackPath)).body).toMatchObject({ error: 'invalid_request', reason: 'state' })
    expect((await backend.readSnapshot()).codeRedemptions).toBe(0)
  })

  it('returnTo is a path on this site only: no open redirect', async () => {
    const { agent } = bffBackend()
    for (const returnTo of ['//attacker.example/x', 'https://attacker.example/', '/\\attacker.example', '\\\\attacker.example', 'javascript:alert(1)', '/%0d%0aSet-Cookie:x=y'.replace('%0d%0a', '\r\n')]) {
      const answer = await agent.request('GET', `/bff/login?returnTo=${encodeURIComponent(returnTo)}`)
      expect(answer.status, returnTo).toBe(400)
      expect(answer.body).toMatchObject({ error: 'invalid_request', reason: 'return_to' })
    }
    expect((await agent.request('GET', '/bff/login')).status).toBe(302)
  })

  it('the BFF registration is checked at start, and setIssuer refuses to move it', () => {
    expect(() => createMockBackend({ issuer: ISSUER, bff: { clientSecret: 'short' } })).toThrow(ConfigurationError)
    expect(() => createMockBackend({ issuer: ISSUER, bff: { apiBase: 'http://api.example/v1' } })).toThrow(ConfigurationError)
    expect(() => createMockBackend({ issuer: ISSUER, bff: { apiBase: 'https://api.example/v1?x=1' } })).toThrow(ConfigurationError)
    expect(() => createMockBackend({ issuer: ISSUER, bff: { scope: 'profile' } })).toThrow(ConfigurationError)
    expect(() => createMockBackend({ issuer: ISSUER, bff: true }).setIssuer('http://127.0.0.1:5173')).toThrow(ConfigurationError)
  })
})

describe('BFF: the API proxy', () => {
  it('forwards to the API with the access token: the page reads and writes its data with the cookie and the CSRF header alone', async () => {
    const { agent } = bffBackend()
    await signInThroughBff(agent)
    expect((await agent.request('GET', '/bff/api/me')).body).toMatchObject({ user: { id: 'u_alice' }, via: 'bearer' })
    const created = await agent.request('POST', '/bff/api/notes', { json: { text: 'through the BFF' }, headers: csrfHeaders(agent) })
    expect(created.status).toBe(201)
    const listed = await agent.request('GET', '/bff/api/notes?limit=5')
    expect(listed.body.notes).toEqual([expect.objectContaining({ text: 'through the BFF' })])
    const removed = await agent.request('DELETE', `/bff/api/notes/${created.body.note.id}`, { headers: csrfHeaders(agent) })
    expect(removed.status).toBe(204)
    // The API's refusals pass through as they are (403 for a role the user lacks), with no challenge for a token the page never sees.
    const admin = await agent.request('GET', '/bff/api/admin/users')
    expect(admin.status).toBe(403)
    expect(admin.headers.get('www-authenticate')).toBeNull()
  })

  it('B1 in a full flow, no answer the page can read (bodies, headers, cookies readable by script, redirects) carries an access or refresh token', async () => {
    const { agent, store, backend } = bffBackend()
    const { seen, tokens, hold } = watchHeldTokens(store, agent)
    for (const response of await signInThroughBff(agent)) await hold(response)
    await hold(await agent.request('GET', '/bff/session'))
    await hold(await agent.request('GET', '/bff/api/me'))
    await hold(await agent.request('POST', '/bff/api/notes', { json: { text: 'n' }, headers: csrfHeaders(agent) }))
    pastAccessExpiry()
    await hold(await agent.request('GET', '/bff/api/me'))
    await hold(await agent.request('GET', '/bff/session'))
    const logout = await hold(await agent.request('POST', '/bff/logout', { json: {}, headers: csrfHeaders(agent) }))
    await hold(await agent.request('GET', locationPath({ ...logout, headers: new Headers({ location: logout.body.endSessionUrl }) })))

    // Two access tokens and two refresh tokens: the sign-in's and the refresh's.
    expect(tokens.size).toBe(4)
    expect((await backend.readSnapshot()).bff.refreshes).toBe(1)
    const cookieValues = [...agent.cookies.values()]
    for (const response of seen) {
      const text = readable(response)
      for (const token of tokens) expect(text.includes(token), `${response.status} ${text.slice(0, 200)}`).toBe(false)
    }
    for (const token of tokens) expect(cookieValues).not.toContain(token)
  })

  it('B2 a cross-site request to the proxy is refused: no CSRF header, a foreign Origin, Sec-Fetch-Site: cross-site; nothing reaches the API', async () => {
    const { agent, backend } = bffBackend()
    await signInThroughBff(agent)
    const refused = [
      await agent.request('POST', '/bff/api/notes', { json: { text: 'forged' } }),
      await agent.request('POST', '/bff/api/notes', { json: { text: 'forged' }, headers: { 'x-xsrf-token': 'guess' } }),
      await agent.request('POST', '/bff/api/notes', { json: { text: 'forged' }, headers: csrfHeaders(agent), from: 'https://attacker.example' }),
      await agent.request('POST', '/bff/api/notes', { json: { text: 'forged' }, headers: { ...csrfHeaders(agent), origin: 'http://localhost.attacker.example' } }),
      await agent.request('DELETE', '/bff/api/notes/n1', { headers: csrfHeaders(agent), from: 'https://attacker.example' }),
      await agent.request('GET', '/bff/api/me', { from: 'https://attacker.example' }),
      await agent.request('POST', '/bff/logout', { json: {}, headers: csrfHeaders(agent), from: 'https://attacker.example' }),
    ]
    for (const answer of refused) expect(answer).toMatchObject({ status: 403, body: { error: 'csrf_failed' } })
    const stats = await backend.readSnapshot()
    expect(stats.bff.proxied).toBe(0)
    expect(stats.requests['GET /api/me'] ?? 0).toBe(0)
    expect((await agent.request('GET', '/bff/api/notes')).body.notes).toEqual([])
    // Still signed in: the forged sign-out changed nothing.
    expect((await agent.request('GET', '/bff/session')).status).toBe(200)
    const preflight = await agent.request('OPTIONS', '/bff/api/notes', { headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' } })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('B3 the proxy forwards only to its configured API: traversal, encoded slashes, absolute URLs and //host are refused before anything is sent', async () => {
    const { agent, backend } = bffBackend()
    await signInThroughBff(agent)
    const paths = [
      '/bff/api/..%2foauth%2ftoken',
      '/bff/api/%2e%2e%2f%2e%2e%2foauth/revoke',
      '/bff/api/me%2f..%2f..%2f__mock%2fstats',
      '/bff/api//attacker.example/x',
      '/bff/api/http:%2F%2Fattacker.example%2F',
      '/bff/api/http://attacker.example/',
      '/bff/api/%2F%2Fattacker.example',
      '/bff/api/%5c%5cattacker.example',
      '/bff/api/me%00',
      '/bff/api/%E0%A4%A',
    ]
    for (const path of paths) {
      const answer = await agent.request('GET', path)
      expect(answer.status, path).toBe(400)
      expect(answer.body, path).toMatchObject({ error: 'invalid_request' })
    }
    const stats = await backend.readSnapshot()
    expect(stats.bff.proxied).toBe(0)
    expect(Object.keys(stats.requests).filter((key) => !key.includes('/bff/') && !key.startsWith('GET /oauth/authorize') && !key.startsWith('POST /oauth/'))).toEqual([])
  })
})

describe('BFF: tokens stay fresh on the server', () => {
  it('B4 past the access token expiry, 20 requests at once are all answered 200 after one refresh at the provider; the browser sees no 401', async () => {
    const { agent, backend } = bffBackend()
    await signInThroughBff(agent)
    pastAccessExpiry()
    const answers = await Promise.all(Array.from({ length: 20 }, () => agent.request('GET', '/bff/api/me')))
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200))
    const stats = await backend.readSnapshot()
    expect(stats).toMatchObject({ refreshes: 1, reuseDetections: 0, unauthorized: 0, bff: { refreshes: 1, proxied: 20 } })
  })

  it('B4 an access token the API refuses before its expiry (revoked) is refreshed and the request sent once more: still no 401', async () => {
    const { agent, store, backend } = bffBackend()
    await signInThroughBff(agent)
    const { accessToken } = (await heldTokens(store, agent))!
    const revoked = await agent.request('POST', '/oauth/revoke', { form: { token: accessToken }, noCookies: true, noOrigin: true })
    expect(revoked.status).toBe(200)
    const answer = await agent.request('GET', '/bff/api/me')
    expect(answer.status).toBe(200)
    expect((await heldTokens(store, agent))!.accessToken).not.toBe(accessToken)
    expect((await backend.readSnapshot()).bff).toMatchObject({ retriedAfter401: 1, refreshes: 1 })
  })

  it('a refresh the provider refuses (the user revoked there) ends the BFF session: 401 invalid_session, cookies cleared', async () => {
    const { agent, backend } = bffBackend()
    await signInThroughBff(agent)
    await agent.request('POST', '/__mock/revoke', { json: { username: 'alice' } })
    pastAccessExpiry()
    const answer = await agent.request('GET', '/bff/api/me')
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_session' } })
    expect(answer.setCookies.some((line) => line.startsWith(`${BFF_COOKIE}=;`))).toBe(true)
    expect((await backend.readSnapshot()).liveBffSessions).toBe(0)
  })
})

describe('BFF: sign-out', () => {
  it('B5 deletes the BFF session, revokes the refresh token at the provider, and sends the browser to end the provider session', async () => {
    const { agent, store, backend } = bffBackend()
    await signInThroughBff(agent)
    const { refreshToken } = (await heldTokens(store, agent))!
    const logout = await agent.request('POST', '/bff/logout', { json: {}, headers: csrfHeaders(agent) })
    expect(logout.status).toBe(200)
    expect(logout.body).toMatchObject({ signedOut: true, revoked: true })
    const endSession = new URL(logout.body.endSessionUrl)
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${ISSUER}/oauth/end-session`)
    expect(Object.fromEntries(endSession.searchParams)).toEqual({ client_id: 'authlens-bff', post_logout_redirect_uri: `${ISSUER}/` })

    // The BFF session is gone, and its cookies with it.
    expect(agent.cookies.has(BFF_COOKIE)).toBe(false)
    expect((await agent.request('GET', '/bff/session', { headers: { cookie: `${BFF_COOKIE}=whatever` } })).status).toBe(401)
    expect((await backend.readSnapshot()).liveBffSessions).toBe(0)
    // The refresh token is dead at the provider, even for the BFF's own client authentication.
    const secret = backend.options.bff!.clientSecret
    const refresh = await agent.request('POST', '/oauth/token', {
      form: { grant_type: 'refresh_token', refresh_token: refreshToken! },
      headers: { authorization: `Basic ${btoa(`authlens-bff:${secret}`)}` },
      noCookies: true,
      noOrigin: true,
    })
    expect(refresh.body).toMatchObject({ error: 'invalid_grant' })

    // The provider session ends when the browser gets there, and it comes back to the app.
    const ended = await agent.request('GET', locationPath({ ...logout, headers: new Headers({ location: logout.body.endSessionUrl }) }))
    expect(ended.status).toBe(303)
    expect(ended.headers.get('location')).toBe(`${ISSUER}/`)
    const { challenge } = await pkce()
    const silent = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt: 'none' })))
    expect(redirectParams(silent).get('error')).toBe('login_required')
  })

  it('a sign-out without a session still clears the cookies and names the provider end-session URL', async () => {
    const { agent } = bffBackend()
    const answer = await agent.request('POST', '/bff/logout', { json: {} })
    expect(answer.body).toMatchObject({ signedOut: false, revoked: false, endSessionUrl: expect.stringContaining('/oauth/end-session?') })
  })
})

describe('BFF: token-mediating backend (BCP §6.2), only when turned on', () => {
  it('GET /bff/token hands the page the access token it holds, refreshed when due; never the refresh token; the page then calls the API itself', async () => {
    const { agent, store, backend } = bffBackend({ bff: { tokenMediating: true } })
    await signInThroughBff(agent)
    const handed = await agent.request('GET', '/bff/token')
    expect(handed.status).toBe(200)
    expect(handed.headers.get('cache-control')).toBe('no-store')
    const held = await heldTokens(store, agent)
    expect(handed.body).toEqual({ access_token: held!.accessToken, token_type: 'Bearer', expires_in: 300 })
    expect(readable(handed)).not.toContain(held!.refreshToken)
    const direct = await agent.request('GET', '/api/me', { headers: { authorization: `Bearer ${handed.body.access_token}` } })
    expect(direct.body).toMatchObject({ user: { id: 'u_alice' }, via: 'bearer' })

    pastAccessExpiry()
    const fresh = await agent.request('GET', '/bff/token')
    expect(fresh.body.access_token).not.toBe(handed.body.access_token)
    expect(fresh.body.access_token).toBe((await heldTokens(store, agent))!.accessToken)
    expect((await backend.readSnapshot()).bff.refreshes).toBe(1)
  })

  it('refuses a cross-site request and a browser without a session', async () => {
    const { agent } = bffBackend({ bff: { tokenMediating: true } })
    expect((await agent.request('GET', '/bff/token')).body).toMatchObject({ error: 'missing_credentials' })
    await signInThroughBff(agent)
    const crossSite = await agent.request('GET', '/bff/token', { headers: { 'sec-fetch-site': 'cross-site' } })
    expect(crossSite.status).toBe(403)
    expect(crossSite.body.error).toBe('csrf_failed')
  })
})
