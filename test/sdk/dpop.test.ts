import { createHash } from 'node:crypto'
import { jwt, type AuthClient } from '@authlens/sdk'
import { attachAuth } from '@authlens/sdk/axios'
import { dpop } from '@authlens/sdk/dpop'
import { oidc } from '@authlens/sdk/oidc'
import type { MockBackendOptions } from '@authlens/mock-server'
import axios from 'axios'
import { calculateJwkThumbprint, decodeJwt, EmbeddedJWK, jwtVerify, type JWK } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createDpopProof, generateDpopKey } from '../../mock-server/test/dpop-proof.ts'
import { loginForm } from '../../mock-server/test/oidc.ts'
import { fakePage } from '../helpers/fake-page.ts'
import { advanceClock, expectAuthError, freezeClock, recordEvents } from '../helpers/refresh-kit.ts'
import { ORIGIN, alice, sdkHarness, type SentRequest } from '../helpers/sdk-harness.ts'

/**
 * `jwt({ dpop: dpop() })` (RFC 9449) against the mock backend, the DPoP token and resource server
 * the demo uses: it verifies every proof (its counters say how many it accepted and refused, and
 * why), and jose, an implementation nobody here wrote, verifies each proof the SDK sent as well.
 * SECURITY.md D2, D7 and D10 end to end; D1 and D9 need a real browser: test/e2e/sdk-dpop.test.ts.
 */

let harness: ReturnType<typeof sdkHarness> | undefined

afterEach(() => {
  harness?.destroy()
  harness = undefined
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

/**
 * A nonce lives one rotation and is still accepted the next: two rotations make it stale. Shorter
 * than the default so that two of them stay inside the proof window (60 s): a proof the SDK signs
 * before the clock moves on is still on time.
 */
const ROTATION_MS = 10_000
const NONCES = { dpop: { nonce: true, nonceRotationSeconds: ROTATION_MS / 1000 } }

function setup(options: MockBackendOptions = {}) {
  // The backend reads the clock the test may freeze and move, as the SDK does.
  harness = sdkHarness({ now: () => Date.now(), ...options })
  const auth = harness.client({ strategy: jwt({ dpop: dpop() }) })
  return { auth, h: harness, dpopStats: () => harness!.backend.snapshot().dpop }
}

/** Switches server nonces on or off, as the demo's control does. */
async function requireNonces(h: ReturnType<typeof sdkHarness>, required: boolean) {
  const response = await h.fetch(`${ORIGIN}/__mock/dpop-nonce`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ required }) })
  expect(response.ok).toBe(true)
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url')

/** A proof as jose reads it: verified with the key it embeds, `typ` checked. */
const verify = async (proof: string | null | undefined) => {
  const { payload, protectedHeader } = await jwtVerify(proof ?? '', EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] })
  return { claims: payload as typeof payload & { htm?: string; htu?: string; ath?: string; nonce?: string }, header: protectedHeader }
}

/** Every proof the SDK sent, in order, verified by jose: where it went, its claims and its key's thumbprint. */
async function proofsSent(requests: SentRequest[]) {
  return Promise.all(
    requests
      .filter((request) => request.headers.dpop !== undefined)
      .map(async (request) => {
        const { claims, header } = await verify(request.headers.dpop)
        return { path: request.path, claims, jkt: await calculateJwkThumbprint(header.jwk as JWK) }
      }),
  )
}

/** What the client's own `prepare` (the adapters' entry) attaches to a request. */
async function prepared(auth: AuthClient, url: string, method = 'GET') {
  const headers = new Headers()
  await auth.prepare(url, method, headers)
  return headers
}

describe('dpop(): proofs (RFC 9449 §4)', () => {
  it('login, API calls, refresh and logout each carry a proof the backend and jose verify, all from one key; the token goes as DPoP, never as Bearer (D10)', async () => {
    const { auth, h, dpopStats } = setup()
    await auth.login(alice)
    const me = await auth.fetch('/me')
    expect(await me.json()).toMatchObject({ user: { id: 'u_alice' }, via: 'dpop' })
    await auth.refresh()
    expect((await auth.fetch('/me')).status).toBe(200)
    await auth.logout()

    expect(dpopStats()).toEqual({ verified: 5, refused: {} })
    const proofs = await proofsSent(h.requests)
    expect(proofs.map((proof) => `${proof.claims.htm} ${proof.path}`)).toEqual([
      'POST /api/auth/login',
      'GET /api/me',
      'POST /api/auth/refresh',
      'GET /api/me',
      'POST /api/auth/logout',
    ])
    expect(new Set(proofs.map((proof) => proof.jkt)).size).toBe(1)
    for (const request of h.requests) {
      expect(request.headers.authorization ?? '', request.path).not.toMatch(/^bearer/i)
      expect(request.headers.dpop, request.path).toBeDefined()
    }
    // Both API calls and the logout present the token they were signed for; the logout's was
    // accepted as DPoP: the backend put that token on its revocation list.
    for (const request of h.requests.filter((sent) => sent.headers.authorization)) {
      const token = request.headers.authorization!.replace(/^DPoP /, '')
      expect((await verify(request.headers.dpop)).claims.ath, request.path).toBe(sha256(token))
    }
    expect(h.backend.snapshot()).toMatchObject({ revokedAccessTokens: 1, liveRefreshFamilies: 0, refreshes: 1, reuseDetections: 0 })
  })

  it('the proof: typ dpop+jwt, ES256, the public key only (kty, crv, x, y); htm, htu, iat, jti, ath; the issued token is bound to that key (cnf.jkt)', async () => {
    const { auth } = setup()
    await auth.login(alice)
    const headers = await prepared(auth, '/me')
    const token = (await auth.getAccessToken())!
    expect(headers.get('authorization')).toBe(`DPoP ${token}`)
    const { header, claims } = await verify(headers.get('dpop'))
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' })
    expect(Object.keys(header.jwk!).sort()).toEqual(['crv', 'kty', 'x', 'y'])
    expect(header.jwk).toMatchObject({ kty: 'EC', crv: 'P-256' })
    expect(Object.keys(claims).sort()).toEqual(['ath', 'htm', 'htu', 'iat', 'jti'])
    expect(claims).toMatchObject({ htm: 'GET', htu: `${ORIGIN}/api/me`, ath: sha256(token) })
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60)
    expect(decodeJwt(token).cnf).toEqual({ jkt: await calculateJwkThumbprint(header.jwk as JWK) })
  })

  it('thumbprint() names the key the client signs with: the cnf.jkt of its tokens, as jose computes it from the proof (RFC 7638)', async () => {
    const key = dpop()
    await expectAuthError(key.thumbprint(), 'proof_failed')
    harness = sdkHarness({ now: () => Date.now() })
    const auth = harness.client({ strategy: jwt({ dpop: key }) })
    await auth.login(alice)
    const { header } = await verify((await prepared(auth, '/me')).get('dpop'))
    const thumbprint = await key.thumbprint()
    expect(thumbprint).toBe(await calculateJwkThumbprint(header.jwk as JWK))
    expect(decodeJwt((await auth.getAccessToken())!).cnf).toEqual({ jkt: thumbprint })
  })

  it('htu is the URL without query and fragment, normalised as URLs are; htm is the method in capitals', async () => {
    const { auth } = setup()
    await auth.login(alice)
    const cases: [string, string, string][] = [
      ['/me?page=2&sort=asc#top', 'get', `${ORIGIN}/api/me`],
      ['http://LOCALHOST:80/api/notes/7?x=1', 'patch', `${ORIGIN}/api/notes/7`],
      ['/notes/%7e/../7', 'delete', `${ORIGIN}/api/notes/7`],
      ['/me#only-a-fragment', 'post', `${ORIGIN}/api/me`],
    ]
    for (const [url, method, htu] of cases) {
      const { claims } = await verify((await prepared(auth, url, method)).get('dpop'))
      expect(claims, url).toMatchObject({ htu, htm: method.toUpperCase() })
    }
  })

  it('every proof has its own jti', async () => {
    const { auth } = setup()
    await auth.login(alice)
    const proofs = await Promise.all(Array.from({ length: 100 }, () => prepared(auth, '/me')))
    const jtis = await Promise.all(proofs.map(async (headers) => (await verify(headers.get('dpop'))).claims.jti))
    expect(new Set(jtis).size).toBe(100)
    for (const jti of jtis) expect(jti).toMatch(/^[\w-]{43}$/)
  })

  it('requests outside baseURL carry neither the token nor a proof', async () => {
    const { auth } = setup()
    await auth.login(alice)
    for (const url of ['https://other.example/api/me', `${ORIGIN}/elsewhere`]) {
      const headers = await prepared(auth, url)
      expect([headers.get('authorization'), headers.get('dpop')], url).toEqual([null, null])
    }
  })

  it('through the axios adapter: DPoP token and a verified proof, nonce challenge answered once', async () => {
    const { auth, h, dpopStats } = setup()
    await auth.login(alice)
    const api = attachAuth(axios.create({ baseURL: `${ORIGIN}/api`, adapter: 'fetch', env: { fetch: h.fetch } }), auth)
    await requireNonces(h, true)
    expect((await api.get('/me')).status).toBe(200)
    expect((await api.get('/me')).status).toBe(200)
    expect(dpopStats()).toEqual({ verified: 3, refused: { nonce: 1 } })
    const nonces = (await proofsSent(h.requests)).filter((proof) => proof.path === '/api/me').map((proof) => proof.claims.nonce)
    expect(nonces).toEqual([undefined, expect.any(String), nonces[1]])
    expect(h.requests.every((request) => !/^bearer/i.test(request.headers.authorization ?? ''))).toBe(true)
  })

  it('a new nonce handed out in a successful answer is used from the next proof on, through fetch and axios', async () => {
    freezeClock()
    const { auth, h, dpopStats } = setup(NONCES)
    await auth.login(alice)
    const api = attachAuth(axios.create({ baseURL: `${ORIGIN}/api`, adapter: 'fetch', env: { fetch: h.fetch } }), auth)
    await auth.fetch('/me')
    // One rotation on: the nonce in hand is still accepted, and the answer hands out the next.
    advanceClock(ROTATION_MS)
    await auth.fetch('/me')
    expect((await auth.fetch('/me')).status).toBe(200)
    advanceClock(ROTATION_MS)
    await api.get('/me')
    expect((await api.get('/me')).status).toBe(200)
    await auth.refresh()

    // The only refusal: the login's, before any nonce was known.
    expect(dpopStats().refused).toEqual({ nonce: 1 })
    const nonces = (await proofsSent(h.requests)).map((proof) => proof.claims.nonce ?? null)
    const [, first, , , second, , third] = nonces
    expect(nonces).toEqual([null, first, first, first, second, second, third, third])
    expect(new Set([first, second, third]).size).toBe(3)
  })

  it('without IndexedDB (Node) the key lives in memory: a key_in_memory warning, once, and everything still works', async () => {
    const { auth } = setup()
    const events = recordEvents(auth, ['warning'])
    await auth.login(alice)
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(events.named('warning').map((warning) => warning.code)).toEqual(['key_in_memory'])
  })
})

describe('dpop(): a stolen token is useless without the key (D2, D10)', () => {
  it('the token the SDK holds, replayed by a thief as Bearer, as DPoP with a proof of another key, or as Bearer with that proof: 401 each; the SDK goes on', async () => {
    const { auth, h, dpopStats } = setup()
    await auth.login(alice)
    const token = (await auth.getAccessToken())!
    const thief = await generateDpopKey()
    const url = `${ORIGIN}/api/me`
    const replay = async (authorization: string, proof?: string) => {
      const response = await h.fetch(url, { headers: { authorization, ...(proof && { dpop: proof }) } })
      return { status: response.status, body: (await response.json()) as { error?: string; reason?: string }, challenge: response.headers.get('www-authenticate') }
    }

    const asBearer = await replay(`Bearer ${token}`)
    expect(asBearer).toMatchObject({ status: 401, body: { error: 'invalid_token', reason: 'bearer_downgrade' } })
    expect(asBearer.challenge).toMatch(/^Bearer .*error="invalid_token".*, DPoP algs="/)
    const otherKey = await replay(`DPoP ${token}`, await createDpopProof(thief, 'GET', url, { accessToken: token }))
    expect(otherKey).toMatchObject({ status: 401, body: { error: 'invalid_dpop_proof', reason: 'key_mismatch' } })
    expect(otherKey.challenge).toMatch(/^DPoP algs=".*", error="invalid_dpop_proof"/)
    const bearerWithProof = await replay(`Bearer ${token}`, await createDpopProof(thief, 'GET', url, { accessToken: token }))
    expect(bearerWithProof).toMatchObject({ status: 401, body: { error: 'invalid_token', reason: 'bearer_downgrade' } })

    expect(dpopStats().refused).toEqual({ bearer_downgrade: 2, key_mismatch: 1 })
    // The holder of the key is not disturbed: same token, no refresh.
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(await auth.getAccessToken()).toBe(token)
    expect(h.count('/api/auth/refresh')).toBe(0)
  })
})

describe('dpop(): server nonces (RFC 9449 §8, §9)', () => {
  it('D7 a nonce demanded at the token endpoint and at the API: one retry each, then success; the nonce is kept for later proofs', async () => {
    freezeClock()
    const { auth, h, dpopStats } = setup(NONCES)
    await auth.login(alice)
    expect(h.count('/api/auth/login')).toBe(2)
    // Learned at the login: the API on the same server gets it at once.
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(h.count('/api/me')).toBe(1)

    // Two rotations later the nonce in hand is stale: the API asks for the current one.
    advanceClock(2 * ROTATION_MS)
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(h.count('/api/me')).toBe(3)
    expect((await auth.fetch('/me')).status).toBe(200)
    await auth.refresh()
    expect(h.count('/api/me')).toBe(4)
    expect(h.count('/api/auth/refresh')).toBe(1)

    expect(dpopStats()).toEqual({ verified: 5, refused: { nonce: 2 } })
    const proofs = (await proofsSent(h.requests)).map((proof) => [proof.path, proof.claims.nonce ?? null])
    const first = proofs[1]![1]
    const second = proofs[4]![1]
    expect(proofs).toEqual([
      ['/api/auth/login', null],
      ['/api/auth/login', first],
      ['/api/me', first],
      ['/api/me', first],
      ['/api/me', second],
      ['/api/me', second],
      ['/api/auth/refresh', second],
    ])
    expect(first).not.toBe(second)
    // The challenge cost no refresh and no sign-out.
    expect(auth.getState().status).toBe('authenticated')
  })

  it('D7 a nonce demanded at the refresh: one retry, and the refresh token is spent once (checked before the rotation)', async () => {
    freezeClock()
    const { auth, h, dpopStats } = setup(NONCES)
    await auth.login(alice)
    const before = await auth.getAccessToken()
    advanceClock(2 * ROTATION_MS)
    await auth.refresh()
    expect(h.count('/api/auth/refresh')).toBe(2)
    expect(h.backend.snapshot()).toMatchObject({ refreshes: 1, reuseDetections: 0, liveRefreshFamilies: 1 })
    expect(dpopStats().refused).toEqual({ nonce: 2 })
    expect(auth.getState().status).toBe('authenticated')
    expect(await auth.getAccessToken()).not.toBe(before)
    expect((await auth.fetch('/me')).status).toBe(200)
  })

  it('D7 a nonce demanded at the logout: one retry, and the access token it presents is revoked', async () => {
    freezeClock()
    const { auth, h, dpopStats } = setup(NONCES)
    await auth.login(alice)
    advanceClock(2 * ROTATION_MS)
    await auth.logout()
    expect(h.count('/api/auth/logout')).toBe(2)
    expect(dpopStats().refused).toEqual({ nonce: 2 })
    expect(h.backend.snapshot()).toMatchObject({ revokedAccessTokens: 1, liveRefreshFamilies: 0 })
  })

  it('D7 a challenge that persists after the one retry: a typed error, no third request, no refresh', async () => {
    freezeClock()
    harness = sdkHarness({ now: () => Date.now(), ...NONCES })
    const h = harness
    // While `stale`, each answer's nonce is out of date by the time the next proof is made.
    let stale = true
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await h.fetch(input, init)
      if (stale) advanceClock(2 * ROTATION_MS)
      return response
    }
    const auth = h.client({ strategy: jwt({ dpop: dpop() }), fetch })
    await expectAuthError(auth.login(alice), 'use_dpop_nonce')
    expect(h.count('/api/auth/login')).toBe(2)
    expect(auth.getState().status).toBe('anonymous')

    stale = false
    await auth.login(alice)
    stale = true
    advanceClock(2 * ROTATION_MS)
    await expectAuthError(auth.fetch('/me'), 'unauthorized')
    expect(h.count('/api/me')).toBe(2)
    expect(h.count('/api/auth/refresh')).toBe(0)
    expect(auth.getState().status).toBe('authenticated')
  })
})

describe('dpop() with OpenID Connect, against the mock OpenID Provider', () => {
  const APP = 'http://app.localhost:5173'
  const SPA = { clientId: 'authlens-spa', redirectUris: [`${APP}/callback`], postLogoutRedirectUris: [`${APP}/`] }

  it('the code redemption, the refresh and the revocation carry proofs; the tokens are DPoP-bound to the key and the API takes them as DPoP only', async () => {
    harness = sdkHarness({ issuer: ORIGIN, oidcClients: [SPA] })
    const h = harness
    const page = fakePage(`${APP}/`)
    page.enter()
    const auth = h.client({
      strategy: jwt({ login: oidc({ issuer: ORIGIN, clientId: SPA.clientId, redirectUri: SPA.redirectUris[0]!, scope: 'openid offline_access', postLogoutRedirectUri: SPA.postLogoutRedirectUris[0]! }), dpop: dpop() }),
    })
    await auth.login()
    // The browser at the provider: its login page, the form posted, the redirect back.
    const loginPage = await h.fetch(page.navigations.at(-1)!)
    const form = loginForm({ status: loginPage.status, headers: loginPage.headers, body: await loginPage.text(), setCookies: [] })
    const answer = await h.fetch(`${ORIGIN}/oauth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, ...alice }),
    })
    expect(answer.status).toBe(303)
    page.visit(answer.headers.get('location')!)
    await auth.handleRedirectCallback()
    expect(auth.getState().status).toBe('authenticated')
    const issued = (await auth.getAccessToken())!
    expect(await (await auth.fetch('/me')).json()).toMatchObject({ user: { id: 'u_alice' }, via: 'dpop' })
    await auth.refresh()
    const refreshed = (await auth.getAccessToken())!
    expect(refreshed).not.toBe(issued)
    expect((await auth.fetch('/me')).status).toBe(200)
    await auth.logout()

    // Discovery is a read: no proof. Every grant, API call and the revocation: one each, verified.
    expect(h.requests.filter((sent) => sent.path.endsWith('openid-configuration')).map((sent) => sent.headers.dpop)).toEqual([undefined])
    const proofs = await proofsSent(h.requests)
    expect(proofs.map((proof) => `${proof.claims.htm} ${proof.path}`)).toEqual(['POST /oauth/token', 'GET /api/me', 'POST /oauth/token', 'GET /api/me', 'POST /oauth/revoke'])
    for (const proof of proofs.filter((sent) => sent.path.startsWith('/oauth/'))) {
      expect(proof.claims).toMatchObject({ htu: `${ORIGIN}${proof.path}` })
      expect(proof.claims.ath).toBeUndefined()
    }
    const [key, ...others] = new Set(proofs.map((proof) => proof.jkt))
    expect(others).toEqual([])
    for (const token of [issued, refreshed]) expect(decodeJwt(token).cnf).toEqual({ jkt: key })
    expect(h.backend.snapshot()).toMatchObject({ codeRedemptions: 1, refreshes: 1, reuseDetections: 0, liveRefreshFamilies: 0, dpop: { refused: {} } })
    // The provider's end-session is still where the sign-out goes.
    expect(page.navigations.at(-1)).toMatch(new RegExp(`^${ORIGIN}/oauth/end-session\\?`))
  })
})
