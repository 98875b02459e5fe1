import { createHash } from 'node:crypto'
import { createAuthClient, jwt, type AuthClient } from '@authlens/sdk'
import { attachAuth } from '@authlens/sdk/axios'
import { dpop } from '@authlens/sdk/dpop'
import { oidc } from '@authlens/sdk/oidc'
import axios from 'axios'
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createDpopTestServer } from '../helpers/dpop-test-server.ts'
import { fakePage } from '../helpers/fake-page.ts'
import { CLIENT_ID, createTestProvider, ISSUER, REDIRECT_URI } from '../helpers/oidc-test-provider.ts'
import { expectAuthError, recordEvents } from '../helpers/refresh-kit.ts'
import { ORIGIN, alice, sdkHarness } from '../helpers/sdk-harness.ts'

/**
 * `jwt({ dpop: dpop() })` (RFC 9449): proofs checked by jose, an implementation nobody here wrote,
 * against a DPoP token and resource server in front of the mock backend's JSON login paths.
 * SECURITY.md D7 (and D10 on the client's side); D1 and D9 need a real browser: test/e2e/sdk-dpop.test.ts.
 */

let harness: ReturnType<typeof sdkHarness> | undefined
const clients: AuthClient[] = []

afterEach(() => {
  harness?.destroy()
  harness = undefined
  for (const auth of clients.splice(0)) auth.destroy()
  vi.unstubAllGlobals()
})

function setup() {
  const server = createDpopTestServer(ORIGIN)
  harness = sdkHarness({}, server.handlers)
  const auth = harness.client({ strategy: jwt({ dpop: dpop() }) })
  return { server, auth, h: harness }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url')

/** A proof as jose reads it: verified with the key it embeds, `typ` checked. */
const verify = async (proof: string | null | undefined) => {
  const { payload, protectedHeader } = await jwtVerify(proof ?? '', EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] })
  return { claims: payload, header: protectedHeader }
}

/** What the client's own `prepare` (the adapters' entry) attaches to a request. */
async function prepared(auth: AuthClient, url: string, method = 'GET') {
  const headers = new Headers()
  await auth.prepare(url, method, headers)
  return headers
}

describe('dpop(): proofs (RFC 9449 §4)', () => {
  it('login, API calls, refresh and logout each carry a proof jose verifies, all from one key; the token goes as DPoP, never as Bearer (D10)', async () => {
    const { server, auth, h } = setup()
    await auth.login(alice)
    expect((await auth.fetch('/me')).status).toBe(200)
    await auth.refresh()
    expect((await auth.fetch('/me')).status).toBe(200)
    await auth.logout()

    expect(server.refusals).toEqual([])
    expect(server.proofs.map((proof) => `${proof.method} ${proof.path}`)).toEqual([
      'POST /api/auth/login',
      'GET /api/me',
      'POST /api/auth/refresh',
      'GET /api/me',
      'POST /api/auth/logout',
    ])
    expect(new Set(server.proofs.map((proof) => proof.jkt)).size).toBe(1)
    for (const request of h.requests) {
      expect(request.headers.authorization ?? '', request.path).not.toMatch(/^bearer/i)
      expect(request.headers.dpop, request.path).toBeDefined()
    }
    // Both API calls and the logout present the token they were signed for.
    for (const request of h.requests.filter((sent) => sent.headers.authorization)) {
      const token = request.headers.authorization!.replace(/^DPoP /, '')
      expect((await verify(request.headers.dpop)).claims.ath, request.path).toBe(sha256(token))
    }
  })

  it('the proof: typ dpop+jwt, ES256, the public key only (kty, crv, x, y); htm, htu, iat, jti, ath', async () => {
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
    // The thumbprint the server binds the token to (cnf.jkt) is that key's.
    const [, payload] = token.split('.')
    const cnf = (JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { cnf: { jkt: string } }).cnf
    expect(cnf.jkt).toBe(await calculateJwkThumbprint(header.jwk as JWK))
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
    const { server, auth, h } = setup()
    await auth.login(alice)
    const api = attachAuth(axios.create({ baseURL: `${ORIGIN}/api`, adapter: 'fetch', env: { fetch: h.fetch } }), auth)
    server.requireNonce('axios-nonce')
    expect((await api.get('/me')).status).toBe(200)
    expect((await api.get('/me')).status).toBe(200)
    expect(server.refusals).toEqual([{ path: '/api/me', code: 'use_dpop_nonce' }])
    expect(server.proofs.filter((proof) => proof.path === '/api/me').map((proof) => proof.claims.nonce)).toEqual([undefined, 'axios-nonce', 'axios-nonce'])
    expect(h.requests.every((request) => !/^bearer/i.test(request.headers.authorization ?? ''))).toBe(true)
  })

  it('a new nonce handed out in a successful answer is used from the next proof on, through fetch and axios', async () => {
    const { server, auth, h } = setup()
    await auth.login(alice)
    const api = attachAuth(axios.create({ baseURL: `${ORIGIN}/api`, adapter: 'fetch', env: { fetch: h.fetch } }), auth)
    server.rotateNonceOnSuccess('from-a-200')
    await auth.fetch('/me')
    expect((await auth.fetch('/me')).status).toBe(200)
    server.rotateNonceOnSuccess('from-an-axios-200')
    await api.get('/me')
    expect((await api.get('/me')).status).toBe(200)
    await auth.refresh()
    expect(server.refusals).toEqual([])
    expect(server.proofs.map((proof) => proof.claims.nonce ?? null)).toEqual([null, null, 'from-a-200', 'from-a-200', 'from-an-axios-200', 'from-an-axios-200'])
  })

  it('without IndexedDB (Node) the key lives in memory: a key_in_memory warning, once, and everything still works', async () => {
    const { auth } = setup()
    const events = recordEvents(auth, ['warning'])
    await auth.login(alice)
    await auth.fetch('/me')
    expect(events.named('warning').map((warning) => warning.code)).toEqual(['key_in_memory'])
  })
})

describe('dpop(): server nonces (RFC 9449 §8, §9)', () => {
  it('D7 a nonce demanded at the token endpoint and at the API: one retry each, then success; the nonce is kept for later proofs', async () => {
    const { server, auth, h } = setup()
    server.requireNonce('n-1')
    await auth.login(alice)
    expect(h.count('/api/auth/login')).toBe(2)
    // Learned at the login: the API on the same server gets it at once.
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(h.count('/api/me')).toBe(1)

    server.requireNonce('n-2')
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(h.count('/api/me')).toBe(3)
    expect((await auth.fetch('/me')).status).toBe(200)
    await auth.refresh()
    expect(h.count('/api/me')).toBe(4)
    expect(h.count('/api/auth/refresh')).toBe(1)

    expect(server.refusals).toEqual([
      { path: '/api/auth/login', code: 'use_dpop_nonce' },
      { path: '/api/me', code: 'use_dpop_nonce' },
    ])
    expect(server.proofs.map((proof) => [proof.path, proof.claims.nonce ?? null])).toEqual([
      ['/api/auth/login', null],
      ['/api/auth/login', 'n-1'],
      ['/api/me', 'n-1'],
      ['/api/me', 'n-1'],
      ['/api/me', 'n-2'],
      ['/api/me', 'n-2'],
      ['/api/auth/refresh', 'n-2'],
    ])
    // The challenge cost no refresh and no sign-out.
    expect(auth.getState().status).toBe('authenticated')
  })

  it('D7 a challenge that persists after the one retry: a typed error, no third request, no refresh', async () => {
    const server = createDpopTestServer(ORIGIN)
    harness = sdkHarness({}, server.handlers)
    const h = harness
    // While `rotating`, the server wants a new nonce after every answer: no proof can satisfy it.
    let rotating = true
    let answers = 0
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await h.fetch(input, init)
      if (rotating) server.requireNonce(`n-${++answers}`)
      return response
    }
    const auth = h.client({ strategy: jwt({ dpop: dpop() }), fetch })
    server.requireNonce('n-0')
    await expectAuthError(auth.login(alice), 'use_dpop_nonce')
    expect(h.count('/api/auth/login')).toBe(2)
    expect(auth.getState().status).toBe('anonymous')

    rotating = false
    await auth.login(alice)
    rotating = true
    server.requireNonce('m-0')
    await expectAuthError(auth.fetch('/me'), 'unauthorized')
    expect(h.count('/api/me')).toBe(2)
    expect(h.count('/api/auth/refresh')).toBe(0)
    expect(auth.getState().status).toBe('authenticated')
  })
})

describe('dpop() with OpenID Connect', () => {
  it('the code redemption, the refresh and the revocation carry proofs; a token_type of DPoP is accepted', async () => {
    const provider = await createTestProvider({ tokenResponse: (body) => ({ ...body, token_type: 'DPoP' }) })
    const proofs: { path: string; proof: string | null }[] = []
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      proofs.push({ path: new URL(request.url).pathname, proof: request.headers.get('dpop') })
      return provider.fetch(request)
    }
    const page = fakePage('https://app.test/')
    page.enter()
    const auth = createAuthClient({
      baseURL: 'https://api.test/api',
      fetch,
      strategy: jwt({ login: oidc({ issuer: ISSUER, clientId: CLIENT_ID, redirectUri: REDIRECT_URI, scope: 'openid offline_access' }), dpop: dpop() }),
    })
    clients.push(auth)
    await auth.login()
    page.visit(await provider.authorize(page.navigations.at(-1)!))
    await auth.handleRedirectCallback()
    expect(auth.getState().status).toBe('authenticated')
    await auth.refresh()
    await auth.logout()

    // Discovery is a read: no proof. Every grant and the revocation: one each, verified.
    expect(proofs.filter((sent) => sent.path.endsWith('openid-configuration')).map((sent) => sent.proof)).toEqual([null])
    const signed = proofs.filter((sent) => sent.proof !== null)
    expect(signed.map((sent) => sent.path)).toEqual(['/token', '/token', '/revoke'])
    for (const sent of signed) {
      const { claims } = await verify(sent.proof)
      expect(claims).toMatchObject({ htm: 'POST', htu: `${ISSUER}${sent.path}` })
      expect(claims.ath).toBeUndefined()
    }
    expect(new Set(signed.map((sent) => JSON.stringify(decodeProtectedHeader(sent.proof!).jwk))).size).toBe(1)
  })
})
