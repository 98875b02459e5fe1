import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { randomToken } from '../src/domain/random.ts'
import { GC_MARGIN_MS } from '../src/store/redis/keys.ts'
import { signInThroughBff } from './bff.ts'
import { createDpopProof, generateDpopKey } from './dpop-proof.ts'
import { useInstances } from './instances.ts'
import { authorizePath, codeRequest, OTHER, pkce, redeem, redirectParams, SPA, submitLogin } from './oidc.ts'
import { useLocalRedis } from './redis.ts'

const redis = useLocalRedis()
const startInstances = useInstances(redis)

describe('scale-out: instances sharing one Redis', () => {
  it('a sign-in made on one instance is served by every other: session cookie, and a JWT any instance verifies', async () => {
    const { agents, viaProxy } = await startInstances(3)
    const [a, b, c] = agents as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0]]
    await a.loginSession()
    for (const agent of [b, c, viaProxy, viaProxy, viaProxy]) expect((await agent.request('GET', '/api/me')).body).toMatchObject({ via: 'session', user: { id: 'u_alice' } })

    const { accessToken, refreshToken } = await b.loginJwt('bob', 'builder-bob')
    for (const agent of [a, c]) {
      expect((await agent.request('GET', '/api/me', { bearer: accessToken, noCookies: true })).body).toMatchObject({ via: 'bearer', user: { id: 'u_bob' } })
    }
    const refreshed = await c.request('POST', '/api/auth/refresh', { json: { refreshToken }, noCookies: true })
    expect(refreshed.status).toBe(200)
    expect((await a.request('POST', '/api/auth/refresh', { json: { refreshToken: refreshed.body.refreshToken }, noCookies: true })).status).toBe(200)
  })

  it('M29 strict, across instances: one refresh token sent to two instances at once rotates once; the other is reuse and revokes the family', async () => {
    const { agents } = await startInstances(2)
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]]
    for (let round = 0; round < 15; round++) {
      const { refreshToken } = await a.loginJwt()
      const answers = await Promise.all([a, b].map((agent) => agent.request('POST', '/api/auth/refresh', { json: { refreshToken }, noCookies: true })))
      const winners = answers.filter((answer) => answer.status === 200)
      const losers = answers.filter((answer) => answer.status !== 200)
      expect(winners, JSON.stringify(answers.map((answer) => answer.body))).toHaveLength(1)
      expect(losers[0]).toMatchObject({ status: 401, body: { error: 'refresh_token_reused' } })
      // The whole family is revoked: the winner's brand-new token is refused on either instance.
      const successor = winners[0]!.body.refreshToken as string
      expect((await b.request('POST', '/api/auth/refresh', { json: { refreshToken: successor }, noCookies: true })).body).toMatchObject({ error: 'invalid_grant' })
    }
    const stats = await Promise.all(agents.map((agent) => agent.backend.readSnapshot()))
    expect(stats.reduce((sum, snapshot) => sum + snapshot.reuseDetections, 0)).toBe(15)
    expect(stats[0]!.liveRefreshFamilies).toBe(0)
  })

  it('M29 grace, across instances: both instances answer with the same successor and the family stays live', async () => {
    const { agents } = await startInstances(2, { refreshReuseGraceSeconds: 10 })
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]]
    const { refreshToken } = await a.loginJwt()
    const answers = await Promise.all([a, b].map((agent) => agent.request('POST', '/api/auth/refresh', { json: { refreshToken }, noCookies: true })))
    expect(answers.map((answer) => answer.status)).toEqual([200, 200])
    expect(answers[0]!.body.refreshToken).toBe(answers[1]!.body.refreshToken)
    expect((await b.request('POST', '/api/auth/refresh', { json: { refreshToken: answers[0]!.body.refreshToken }, noCookies: true })).status).toBe(200)
  })

  it('D5 D7 DPoP across instances: a nonce one instance gave is good on another; a proof used on one is a replay on the other', async () => {
    const { viaProxy } = await startInstances(2, { dpop: { nonce: true } })
    const key = await generateDpopKey()
    const send = async (method: 'GET' | 'POST', path: string, options: { nonce?: string; accessToken?: string; dpop?: string } = {}) => {
      const dpop = options.dpop ?? (await createDpopProof(key, method, `${viaProxy.origin}${path}`, options))
      const headers: Record<string, string> = { dpop }
      if (options.accessToken !== undefined) headers.authorization = `DPoP ${options.accessToken}`
      const json = method === 'POST' ? { json: { username: 'alice', password: 'wonderland' } } : {}
      return viaProxy.request(method, path, { ...json, headers, noCookies: true })
    }
    const challenged = await send('POST', '/api/auth/login')
    expect(challenged.body.error).toBe('use_dpop_nonce')
    const nonce = challenged.headers.get('dpop-nonce')!
    const signedIn = await send('POST', '/api/auth/login', { nonce })
    expect(signedIn.status).toBe(200)
    expect(signedIn.headers.get('x-authlens-instance')).not.toBe(challenged.headers.get('x-authlens-instance'))

    const accessToken = signedIn.body.accessToken as string
    const dpop = await createDpopProof(key, 'GET', `${viaProxy.origin}/api/me`, { nonce, accessToken })
    const [first, replayed] = [await send('GET', '/api/me', { accessToken, dpop }), await send('GET', '/api/me', { accessToken, dpop })]
    expect(first.status).toBe(200)
    expect(replayed).toMatchObject({ status: 401, body: { error: 'invalid_dpop_proof', reason: 'replay' } })
    expect(replayed.headers.get('x-authlens-instance')).not.toBe(first.headers.get('x-authlens-instance'))
  })

  it('OpenID Provider across instances: login page on one, sign-in on another, codes, provider session and its end shared', async () => {
    const { agents } = await startInstances(2, { issuer: 'http://localhost', oidcClients: [SPA, OTHER] })
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]]
    const { verifier, challenge } = await pkce()
    const page = await a.request('GET', authorizePath(codeRequest(challenge)))
    const signedIn = await submitLogin(b, page)
    expect(signedIn.status).toBe(303)
    const code = redirectParams(signedIn).get('code')!
    const tokens = await redeem(a, code, verifier)
    expect(tokens.status).toBe(200)
    expect((await redeem(b, code, verifier)).body.error).toBe('invalid_grant')
    // O4 across instances: the replay on b revoked what a issued.
    expect((await b.request('GET', '/api/me', { bearer: tokens.body.access_token, noCookies: true })).status).toBe(401)

    const again = await pkce()
    const silent = await b.request('GET', authorizePath(codeRequest(again.challenge)))
    expect(silent.status).toBe(302)
    const second = await redeem(a, redirectParams(silent).get('code')!, again.verifier)
    expect(second.status).toBe(200)
    expect((await a.request('GET', '/oauth/end-session')).status).toBe(200)
    const form = { grant_type: 'refresh_token', refresh_token: second.body.refresh_token, client_id: SPA.clientId }
    expect((await b.request('POST', '/oauth/token', { form, noCookies: true })).body.error).toBe('invalid_grant')
    const after = await b.request('GET', authorizePath(codeRequest(again.challenge, { prompt: 'none' })))
    expect(redirectParams(after).get('error')).toBe('login_required')
  })

  it('B4 BFF across instances: past the access token expiry, 20 requests on two instances at once cause one refresh at the provider; all answered 200', async () => {
    const { agents, viaProxy } = await startInstances(2, (proxy) => ({ issuer: proxy, bff: { clientSecret: randomToken() } }))
    await signInThroughBff(viaProxy)
    const totals = async () => {
      const stats = await Promise.all(agents.map((agent) => agent.backend.readSnapshot()))
      const sum = (read: (snapshot: (typeof stats)[0]) => number) => stats.reduce((total, snapshot) => total + read(snapshot), 0)
      return { bffRefreshes: sum((s) => s.bff.refreshes), providerRefreshes: sum((s) => s.refreshes), reuse: sum((s) => s.reuseDetections), roundTrips: sum((s) => s.storeRoundTrips), proxied: sum((s) => s.bff.proxied) }
    }
    for (const agent of agents) expect((await agent.request('POST', '/__mock/clock', { json: { offsetSeconds: 301 } })).status).toBe(200)
    const answers = await Promise.all(agents.flatMap((agent) => Array.from({ length: 10 }, () => agent.request('GET', '/bff/api/me'))))
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200))
    expect(await totals()).toMatchObject({ bffRefreshes: 1, providerRefreshes: 1, reuse: 0, proxied: 20 })

    // With fresh tokens, a proxied request costs two round trips: the BFF's session lookup, and the
    // API's revocation-list check of the access token the BFF sent.
    const before = await totals()
    for (let i = 0; i < 10; i++) expect((await viaProxy.request('GET', '/bff/api/me')).status).toBe(200)
    expect((await totals()).roundTrips - before.roundTrips).toBe(20)
  })

  it('M11 a session signed out on one instance is rejected on every other at once', async () => {
    const { agents } = await startInstances(3)
    await agents[0]!.loginSession()
    expect((await agents[2]!.request('GET', '/api/me')).status).toBe(200)
    const sid = agents[0]!.cookies.get('__Host-sid')!
    const logout = await agents[1]!.request('POST', '/api/session/logout', { headers: { 'x-xsrf-token': agents[0]!.csrfToken! } })
    expect(logout.body).toMatchObject({ signedOut: true })
    for (const agent of agents) {
      expect((await agent.request('GET', '/api/me', { headers: { cookie: `__Host-sid=${sid}` } })).body).toMatchObject({ error: 'invalid_session' })
    }
  })

  it('M10 with the revocation list in Redis, an access token signed out on one instance is refused by every other; without it, accepted until exp', async () => {
    for (const accessTokenDenylist of [true, false]) {
      const { agents } = await startInstances(2, { accessTokenDenylist })
      const { accessToken } = await agents[0]!.loginJwt()
      expect((await agents[0]!.request('POST', '/api/auth/logout', { bearer: accessToken, json: {}, noCookies: true })).status).toBe(200)
      const after = await agents[1]!.request('GET', '/api/me', { bearer: accessToken, noCookies: true })
      if (accessTokenDenylist) expect(after.body).toMatchObject({ error: 'invalid_token', reason: 'revoked' })
      else expect(after.status).toBe(200)
      expect((await agents[1]!.backend.readSnapshot()).revokedAccessTokens).toBe(accessTokenDenylist ? 1 : 0)
    }
  })

  it('M30 revoking a user on one instance signs them out on every instance: sessions and refresh families', async () => {
    const { agents } = await startInstances(2)
    await agents[0]!.loginSession()
    const { refreshToken } = await agents[1]!.loginJwt()
    expect((await agents[1]!.request('POST', '/__mock/revoke', { json: { username: 'alice' } })).status).toBe(200)
    expect((await agents[0]!.request('GET', '/api/me')).status).toBe(401)
    expect((await agents[0]!.request('POST', '/api/auth/refresh', { json: { refreshToken }, noCookies: true })).body).toMatchObject({ error: 'invalid_grant' })
  })

  it('Redis TTLs are garbage collection only: a day past the expiry the backend checks, so clock offsets never lose live state', async () => {
    const { agents } = await startInstances(1)
    await agents[0]!.loginSession()
    const sid = agents[0]!.cookies.get('__Host-sid')!
    const { expiresAt } = (await agents[0]!.request('GET', '/api/session')).body as { expiresAt: string }
    const raw = new Redis((await redis.server()).url)
    try {
      const [key] = await raw.keys(`*s:${sid}`)
      expect(Math.abs((await raw.pexpiretime(key!)) - (Date.parse(expiresAt) + GC_MARGIN_MS))).toBeLessThan(2_000)
    } finally {
      raw.disconnect()
    }
    // The server clock moved back almost a day: the session is still there and still valid.
    expect((await agents[0]!.request('POST', '/__mock/clock', { json: { offsetSeconds: -86_000 } })).status).toBe(200)
    expect((await agents[0]!.request('GET', '/api/me')).status).toBe(200)
  })
})

describe('faults: Redis restarted mid-run (append-only file on)', () => {
  it('while Redis is down every stateful request is a clean 503 store_unavailable; after it is back, the same sessions and refresh tokens work', async () => {
    const { agents } = await startInstances(2)
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]]
    await a.loginSession()
    const session = { cookie: `__Host-sid=${a.cookies.get('__Host-sid')}` }
    const { refreshToken, accessToken } = await b.loginJwt('bob', 'builder-bob')

    await (await redis.server()).stop()
    for (const agent of [a, b]) {
      const me = await agent.request('GET', '/api/me', { headers: session, noCookies: true })
      expect(me.status).toBe(503)
      expect(me.body).toMatchObject({ error: 'store_unavailable' })
      expect(me.headers.get('retry-after')).toBe('1')
      expect((await agent.request('POST', '/api/auth/refresh', { json: { refreshToken }, noCookies: true })).body).toMatchObject({ error: 'store_unavailable' })
      expect((await agent.request('POST', '/api/session/login', { json: { username: 'carol', password: 'carol-admin' }, noCookies: true })).status).toBe(503)
      // The revocation list is down too: a bearer token is refused (fail closed), not waved through.
      expect((await agent.request('GET', '/api/me', { bearer: accessToken, noCookies: true })).body).toMatchObject({ error: 'store_unavailable' })
      // The browser keeps its cookies: the session is not gone, only out of reach for now.
      const restore = await agent.request('GET', '/api/session', { headers: session, noCookies: true })
      expect(restore.status).toBe(503)
      expect(restore.setCookies).toEqual([])
      // A sign-out or a revocation that could not happen never answers as if it had.
      const logout = await agent.request('POST', '/api/session/logout', { headers: { ...session, 'x-xsrf-token': a.csrfToken! }, noCookies: true })
      expect(logout.body).toMatchObject({ error: 'store_unavailable' })
      expect(logout.setCookies).toEqual([])
      expect((await agent.request('POST', '/api/auth/logout', { bearer: accessToken, json: {}, noCookies: true })).body).toMatchObject({ error: 'store_unavailable' })
      expect((await agent.request('POST', '/oauth/revoke', { form: { token: accessToken }, noCookies: true })).body).toMatchObject({ error: 'store_unavailable' })
    }

    await (await redis.server()).start()
    await expect.poll(async () => (await a.request('GET', '/api/me', { headers: session, noCookies: true })).status, { timeout: 10_000, interval: 200 }).toBe(200)
    await expect.poll(async () => (await b.request('GET', '/api/me', { headers: session, noCookies: true })).status, { timeout: 10_000, interval: 200 }).toBe(200)
    expect((await b.request('POST', '/api/auth/refresh', { json: { refreshToken }, noCookies: true })).status).toBe(200)
  }, 30_000)
})
