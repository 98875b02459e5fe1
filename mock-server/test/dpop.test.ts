import { SignJWT, decodeJwt, exportJWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MockBackendOptions } from '../src/config.ts'
import { DPOP_ALGORITHMS } from '../src/domain/dpop.ts'
import { sha256 } from '../src/domain/random.ts'
import { httpAgent, inProcessAgent, type Agent, type AgentResponse } from './agent.ts'
import { createDpopProof, generateDpopKey, type DpopKey, type ProofOptions } from './dpop-proof.ts'
import { SPA, providerAgent, redeem, signInForCode } from './oidc.ts'

/**
 * DPoP (RFC 9449) at the mock backend: SECURITY.md D2–D8 and the server's half of D10. Each
 * refusal is shown next to the same request done right, so a test cannot pass because the request
 * was broken some other way.
 */

/** Whole seconds, so window arithmetic is exact. */
const T0 = 1_800_000_000_000
const ALGS = `DPoP algs="${DPOP_ALGORITHMS.join(' ')}"`

function fixture(options: MockBackendOptions = {}) {
  const clock = { now: T0 }
  const agent = inProcessAgent({ now: () => clock.now, ...options })
  return { agent, clock, iat: () => Math.floor(clock.now / 1000) }
}

type Fixture = ReturnType<typeof fixture>

const url = (agent: Agent, path: string) => new URL(path, agent.origin).href

/** The headers of a request with a proof by `key`; at a resource, with the token under the DPoP scheme. */
async function withProof(f: Fixture, key: DpopKey, method: string, path: string, options: ProofOptions = {}) {
  const proof = await createDpopProof(key, method, url(f.agent, path), { iat: f.iat(), ...options })
  return { dpop: proof, ...(options.accessToken === undefined ? {} : { authorization: `DPoP ${options.accessToken}` }) }
}

async function dpopLogin(f: Fixture, key: DpopKey, proof: ProofOptions = {}): Promise<AgentResponse> {
  return f.agent.request('POST', '/api/auth/login', {
    json: { username: 'alice', password: 'wonderland' },
    headers: await withProof(f, key, 'POST', '/api/auth/login', proof),
  })
}

async function boundLogin(f: Fixture, key: DpopKey) {
  const response = await dpopLogin(f, key)
  expect(response.status).toBe(200)
  return response.body as { accessToken: string; refreshToken: string; tokenType: string }
}

function me(f: Fixture, headers: Record<string, string>): Promise<AgentResponse> {
  return f.agent.request('GET', '/api/me', { headers })
}

async function dpopMe(f: Fixture, key: DpopKey, accessToken: string, proof: ProofOptions = {}): Promise<AgentResponse> {
  return me(f, await withProof(f, key, 'GET', '/api/me', { accessToken, ...proof }))
}

function expectProofRefused(response: AgentResponse, reason: string, status = 401): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status)
  expect(response.body).toMatchObject({ error: 'invalid_dpop_proof', reason })
  if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^${ALGS}, error="invalid_dpop_proof", error_description="[^"]+"$`))
}

describe('DPoP binding at the JSON login, and the resources', () => {
  it('a login with a proof gets a token bound to the key (cnf.jkt, tokenType DPoP), accepted as DPoP with a proof', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken, tokenType } = await boundLogin(f, key)
    expect(tokenType).toBe('DPoP')
    expect(decodeJwt(accessToken).cnf).toEqual({ jkt: key.jkt })
    const response = await dpopMe(f, key, accessToken)
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ user: { id: 'u_alice' }, via: 'dpop' })
    expect(f.agent.backend.snapshot().dpop).toEqual({ verified: 2, refused: {} })
  })

  it('a login without a proof works as before: a bearer token without cnf', async () => {
    const f = fixture()
    const { accessToken, tokenType } = await f.agent.loginJwt()
    expect(tokenType).toBe('Bearer')
    expect(decodeJwt(accessToken).cnf).toBeUndefined()
    expect((await f.agent.request('GET', '/api/me', { bearer: accessToken })).status).toBe(200)
  })

  it('an unbound token sent with the DPoP scheme is refused (401 invalid_token, unbound_token)', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await f.agent.loginJwt()
    const response = await dpopMe(f, key, accessToken)
    expect(response.status).toBe(401)
    expect(response.body).toMatchObject({ error: 'invalid_token', reason: 'unbound_token' })
    expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^${ALGS}, error="invalid_token"`))
  })

  it('D2 a bound token with a proof from another key is refused (401 invalid_dpop_proof, key_mismatch)', async () => {
    const f = fixture()
    const [key, thief] = await Promise.all([generateDpopKey(), generateDpopKey()])
    const { accessToken } = await boundLogin(f, key)
    expectProofRefused(await dpopMe(f, thief, accessToken), 'key_mismatch')
    expect(f.agent.backend.snapshot().dpop.refused).toEqual({ key_mismatch: 1 })
    expect((await dpopMe(f, key, accessToken)).status).toBe(200)
  })

  it('D2 D10 a bound token sent as Bearer is refused, with or without a proof: the downgrade is never accepted', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    const plain = await me(f, { authorization: `Bearer ${accessToken}` })
    const withItsProof = await me(f, { ...(await withProof(f, key, 'GET', '/api/me', { accessToken })), authorization: `Bearer ${accessToken}` })
    for (const response of [plain, withItsProof]) {
      expect(response.status).toBe(401)
      expect(response.body).toMatchObject({ error: 'invalid_token', reason: 'bearer_downgrade' })
      const challenge = response.headers.get('www-authenticate')
      expect(challenge).toMatch(/^Bearer realm="authlens", error="invalid_token", error_description="[^"]+"/)
      expect(challenge).toContain(`, ${ALGS}`)
    }
    expect(f.agent.backend.snapshot().dpop.refused).toEqual({ bearer_downgrade: 2 })
  })

  it('D10 the downgrade is refused at userinfo too', async () => {
    const clock = { now: T0 }
    const agent = providerAgent({ now: () => clock.now })
    const f = { agent, clock, iat: () => Math.floor(clock.now / 1000) }
    const key = await generateDpopKey()
    const { code, verifier } = await signInForCode(agent)
    const tokens = await agent.request('POST', '/oauth/token', {
      form: { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: SPA.clientId, redirect_uri: SPA.redirectUris[0]! },
      headers: await withProof(f, key, 'POST', '/oauth/token'),
      noCookies: true,
    })
    expect(tokens.body.token_type).toBe('DPoP')
    const bearer = await agent.request('GET', '/oauth/userinfo', { bearer: tokens.body.access_token })
    expect(bearer.status).toBe(401)
    expect(bearer.body.reason).toBe('bearer_downgrade')
    const dpop = await agent.request('GET', '/oauth/userinfo', { headers: await withProof(f, key, 'GET', '/oauth/userinfo', { accessToken: tokens.body.access_token }) })
    expect(dpop.status).toBe(200)
    expect(dpop.body.sub).toBe('u_alice')
  })
})

describe('D3 proofs that are not what RFC 9449 §4.3 demands', () => {
  const unsigned = (header: object, payload: object) =>
    `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`

  async function badProofs(f: Fixture, key: DpopKey, method: string, path: string, accessToken?: string) {
    const claims = { jti: 'j-1', htm: method, htu: url(f.agent, path), iat: f.iat(), ...(accessToken ? { ath: await sha256(accessToken) } : {}) }
    const secret = crypto.getRandomValues(new Uint8Array(32))
    const { d } = await exportJWK(key.privateKey)
    return {
      // An unsecured JWS has an empty signature, refused unread; given a signature anyway, `none` is refused by name.
      unsigned: [unsigned({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk }, claims), 'malformed'] as const,
      none: [`${unsigned({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk }, claims)}c2ln`, 'algorithm'] as const,
      hs256: [await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.publicJwk }).sign(secret), 'algorithm'] as const,
      privateJwk: [await createDpopProof(key, method, url(f.agent, path), { accessToken, iat: f.iat(), header: { jwk: { ...key.publicJwk, d } } }), 'jwk'] as const,
      typ: [await createDpopProof(key, method, url(f.agent, path), { accessToken, iat: f.iat(), header: { typ: 'JWT' } }), 'typ'] as const,
      noJwk: [await createDpopProof(key, method, url(f.agent, path), { accessToken, iat: f.iat(), header: { jwk: undefined } }), 'jwk'] as const,
      otherKeysJwk: [await createDpopProof(key, method, url(f.agent, path), { accessToken, iat: f.iat(), header: { jwk: (await generateDpopKey()).publicJwk } }), 'signature'] as const,
      noJti: [await createDpopProof(key, method, url(f.agent, path), { accessToken, iat: f.iat(), claims: { jti: undefined } }), 'claims'] as const,
      twoHeaders: [`${await createDpopProof(key, method, url(f.agent, path), { accessToken, iat: f.iat() })}, ${await createDpopProof(key, method, url(f.agent, path), { accessToken, iat: f.iat() })}`, 'multiple'] as const,
      garbage: ['not-a-jwt', 'malformed'] as const,
      huge: [`${'a'.repeat(9000)}.b.c`, 'too_large'] as const,
    }
  }

  it('D3 at a resource: alg none or HS256, a private key in jwk, wrong typ (and other malformed proofs) → 401 invalid_dpop_proof', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    for (const [name, [proof, reason]] of Object.entries(await badProofs(f, key, 'GET', '/api/me', accessToken))) {
      const response = await me(f, { authorization: `DPoP ${accessToken}`, dpop: proof })
      expect(response.body.reason, name).toBe(reason)
      expectProofRefused(response, reason)
      if (name === 'privateJwk') expect(response.body.error_description).toContain('public key only')
    }
    expect((await dpopMe(f, key, accessToken)).status).toBe(200)
  })

  it('D3 at the token endpoints: the same proofs → 400 invalid_dpop_proof, and nobody is signed in', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    for (const [name, [proof, reason]] of Object.entries(await badProofs(f, key, 'POST', '/api/auth/login'))) {
      const response = await f.agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland' }, headers: { dpop: proof } })
      expect(response.body.reason, name).toBe(reason)
      expectProofRefused(response, reason, 400)
    }
    expect(f.agent.backend.snapshot()).toMatchObject({ logins: 0, liveRefreshFamilies: 0 })
  })

  it('D3 every accepted algorithm is asymmetric; a proof signed with each of several is accepted', async () => {
    expect(DPOP_ALGORITHMS.some((alg) => alg === 'none' || alg.startsWith('HS'))).toBe(false)
    const f = fixture()
    for (const alg of ['ES256', 'ES384', 'PS256', 'Ed25519']) {
      const key = await generateDpopKey(alg)
      const { accessToken } = await boundLogin(f, key)
      expect((await dpopMe(f, key, accessToken)).status, alg).toBe(200)
    }
  })
})

describe('D4 a proof is for one method and one URL', () => {
  it('D4 another method, path, host, port or scheme → 401 htm/htu; query and fragment are ignored; the URL is compared normalised', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    const refused = {
      htm: { claims: { htm: 'POST' } },
      lowercaseMethod: { claims: { htm: 'get' } },
      path: { claims: { htu: 'http://localhost/api/notes' } },
      host: { claims: { htu: 'http://127.0.0.1/api/me' } },
      port: { claims: { htu: 'http://localhost:8080/api/me' } },
      scheme: { claims: { htu: 'https://localhost/api/me' } },
      trailingSlash: { claims: { htu: 'http://localhost/api/me/' } },
      notAUrl: { claims: { htu: '/api/me' } },
    }
    for (const [name, options] of Object.entries(refused)) {
      const response = await dpopMe(f, key, accessToken, options)
      expect(response.body.reason, name).toBe(name === 'htm' || name === 'lowercaseMethod' ? 'htm' : 'htu')
      expect(response.status).toBe(401)
    }
    const accepted = ['http://localhost/api/me?x=1#top', 'HTTP://LOCALHOST:80/api/me', 'http://localhost/api/./me', 'http://localhost/%61pi/me']
    for (const htu of accepted) expect((await dpopMe(f, key, accessToken, { claims: { htu } })).status, htu).toBe(200)
    const requestWithQuery = await f.agent.request('GET', '/api/me?page=2', { headers: await withProof(f, key, 'GET', '/api/me', { accessToken }) })
    expect(requestWithQuery.status).toBe(200)
  })
})

describe('D5 replays and stale proofs', () => {
  it('D5 the same proof twice → the second is 401 replay; stats count it', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    const headers = await withProof(f, key, 'GET', '/api/me', { accessToken })
    expect((await me(f, headers)).status).toBe(200)
    expectProofRefused(await me(f, headers), 'replay')
    // The same jti from another key is another proof.
    const other = await generateDpopKey()
    const second = await boundLogin(f, other)
    expect((await dpopMe(f, other, second.accessToken, { jti: decodeJwt(headers.dpop).jti as string })).status).toBe(200)
    expect(f.agent.backend.snapshot().dpop.refused).toEqual({ replay: 1 })
  })

  it('D5 iat outside the window (60 s plus the 5 s tolerance), either way → 401 iat; at its edge → accepted', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    for (const offset of [-66, 66, -3600]) expectProofRefused(await dpopMe(f, key, accessToken, { iat: f.iat() + offset }), 'iat')
    for (const offset of [-65, 65]) expect((await dpopMe(f, key, accessToken, { iat: f.iat() + offset })).status, String(offset)).toBe(200)
  })

  it('D5 the window is the backend\'s clock, and configurable', async () => {
    const f = fixture({ dpop: { proofWindowSeconds: 10 } })
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    const proof = await withProof(f, key, 'GET', '/api/me', { accessToken })
    f.clock.now += 16_000
    expectProofRefused(await me(f, proof), 'iat')
    f.agent.backend.setClockOffset(-16)
    expect((await me(f, proof)).status).toBe(200)
  })

  it('D5 a replay stays refused until the proof is too old anyway; then it is refused for its age', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    const headers = await withProof(f, key, 'GET', '/api/me', { accessToken })
    expect((await me(f, headers)).status).toBe(200)
    f.clock.now += 65_000
    expectProofRefused(await me(f, headers), 'replay')
    f.clock.now += 1_000
    expectProofRefused(await me(f, headers), 'iat')
  })
})

describe('D6 ath binds a resource proof to one access token', () => {
  it('D6 a proof without ath, or with the hash of another token → 401 ath', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const first = await boundLogin(f, key)
    const second = await boundLogin(f, key)
    const scheme = { authorization: `DPoP ${first.accessToken}` }
    expectProofRefused(await me(f, { ...scheme, ...(await withProof(f, key, 'GET', '/api/me')) }), 'ath')
    const forSecond = await withProof(f, key, 'GET', '/api/me', { accessToken: second.accessToken })
    expectProofRefused(await me(f, { ...forSecond, ...scheme }), 'ath')
    expect((await dpopMe(f, key, first.accessToken)).status).toBe(200)
  })
})

describe('D7 server nonces', () => {
  async function nonceOn(f: Fixture) {
    const response = await f.agent.request('POST', '/__mock/dpop-nonce', { json: { required: true } })
    expect(response.status).toBe(200)
    expect(response.body.dpopNonceRequired).toBe(true)
  }

  it('D7 at the token endpoint: 400 use_dpop_nonce with DPoP-Nonce; one retry with it succeeds and carries the next nonce', async () => {
    const f = fixture()
    await nonceOn(f)
    const key = await generateDpopKey()
    const first = await dpopLogin(f, key)
    expect(first.status).toBe(400)
    expect(first.body).toMatchObject({ error: 'use_dpop_nonce' })
    const nonce = first.headers.get('dpop-nonce')
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(f.agent.backend.snapshot().logins).toBe(0)
    const retry = await dpopLogin(f, key, { nonce: nonce! })
    expect(retry.status).toBe(200)
    expect(retry.headers.get('dpop-nonce')).toBe(nonce)
    expect((await dpopLogin(f, key, { nonce: 'made-up-nonce' })).body.error).toBe('use_dpop_nonce')
    expect(f.agent.backend.snapshot().dpop.refused).toEqual({ nonce: 2 })
  })

  it('D7 at a resource: 401 with WWW-Authenticate: DPoP error="use_dpop_nonce" and DPoP-Nonce; the retry with the nonce succeeds', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    await nonceOn(f)
    const first = await dpopMe(f, key, accessToken)
    expect(first.status).toBe(401)
    expect(first.body.error).toBe('use_dpop_nonce')
    expect(first.headers.get('www-authenticate')).toMatch(new RegExp(`^${ALGS}, error="use_dpop_nonce"`))
    const nonce = first.headers.get('dpop-nonce')!
    const retry = await dpopMe(f, key, accessToken, { nonce })
    expect(retry.status).toBe(200)
    expect(retry.headers.get('dpop-nonce')).toBe(nonce)
  })

  it('D7 at the logout: a DPoP token presented without the nonce is a challenge, not ignored; the retry with it revokes the token', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken, refreshToken } = await boundLogin(f, key)
    await nonceOn(f)
    const logout = async (nonce?: string) =>
      f.agent.request('POST', '/api/auth/logout', { json: { refreshToken }, headers: await withProof(f, key, 'POST', '/api/auth/logout', { accessToken, ...(nonce && { nonce }) }) })
    const first = await logout()
    expect(first.status).toBe(401)
    expect(first.body.error).toBe('use_dpop_nonce')
    expect(first.headers.get('www-authenticate')).toMatch(new RegExp(`^${ALGS}, error="use_dpop_nonce"`))
    // Nothing happened yet: the client is to send it again.
    expect(f.agent.backend.snapshot()).toMatchObject({ revokedAccessTokens: 0, liveRefreshFamilies: 1 })
    const retry = await logout(first.headers.get('dpop-nonce')!)
    expect(retry.status).toBe(200)
    expect(retry.body).toMatchObject({ signedOut: true })
    expect(f.agent.backend.snapshot()).toMatchObject({ revokedAccessTokens: 1, liveRefreshFamilies: 0 })
  })

  it('D7 nonces rotate: the previous one is still accepted, an older one is refused with the current one', async () => {
    const f = fixture({ dpop: { nonce: true, nonceRotationSeconds: 30 } })
    const key = await generateDpopKey()
    const nonce = (await dpopLogin(f, key)).headers.get('dpop-nonce')!
    f.clock.now += 30_000
    const next = await dpopLogin(f, key, { nonce })
    expect(next.status).toBe(200)
    const fresh = next.headers.get('dpop-nonce')!
    expect(fresh).not.toBe(nonce)
    f.clock.now += 30_000
    const stale = await dpopLogin(f, key, { nonce })
    expect(stale.body.error).toBe('use_dpop_nonce')
    expect(stale.headers.get('dpop-nonce')).not.toBe(nonce)
    expect((await dpopLogin(f, key, { nonce: fresh })).status).toBe(200)
  })

  it('D7 instances sharing the HS256 secret accept each other\'s nonces; another backend\'s are refused', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32))
    const options = { algorithm: 'HS256' as const, hmacSecret: secret, dpop: { nonce: true } }
    const a = fixture(options)
    const b = fixture(options)
    const stranger = fixture({ dpop: { nonce: true } })
    const key = await generateDpopKey()
    const nonce = (await dpopLogin(a, key)).headers.get('dpop-nonce')!
    expect((await dpopLogin(b, key, { nonce })).status).toBe(200)
    expect((await dpopLogin(stranger, key, { nonce })).body.error).toBe('use_dpop_nonce')
  })

  it('nonces are off by default, and the control route turns them off again', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    expect((await dpopLogin(f, key)).headers.get('dpop-nonce')).toBeNull()
    await nonceOn(f)
    await f.agent.request('POST', '/__mock/dpop-nonce', { json: { required: false } })
    expect((await dpopLogin(f, key)).status).toBe(200)
    expect((await f.agent.request('POST', '/__mock/dpop-nonce', { json: { required: 'yes' } })).body.error).toBe('invalid_request')
  })
})

describe('D8 a public client\'s refresh family is bound to its key', () => {
  it('D8 JSON refresh: a proof from another key, or none → 401 invalid_grant; the family is untouched and the owner still refreshes', async () => {
    const f = fixture()
    const [key, thief] = await Promise.all([generateDpopKey(), generateDpopKey()])
    const { refreshToken } = await boundLogin(f, key)
    const refresh = async (headers: Record<string, string>) => f.agent.request('POST', '/api/auth/refresh', { json: { refreshToken }, headers })
    for (const headers of [await withProof(f, thief, 'POST', '/api/auth/refresh'), {}]) {
      const response = await refresh(headers)
      expect(response.status).toBe(401)
      expect(response.body).toMatchObject({ error: 'invalid_grant', reason: 'dpop_binding' })
    }
    const owner = await refresh(await withProof(f, key, 'POST', '/api/auth/refresh'))
    expect(owner.status).toBe(200)
    expect(owner.body.tokenType).toBe('DPoP')
    expect(decodeJwt(owner.body.accessToken).cnf).toEqual({ jkt: key.jkt })
    expect(f.agent.backend.snapshot()).toMatchObject({ reuseDetections: 0, liveRefreshFamilies: 1, dpop: { refused: { dpop_binding: 2 } } })
  })

  it('D8 token endpoint: code + PKCE + DPoP binds the public client\'s family; another key or no proof → 400 invalid_grant', async () => {
    const clock = { now: T0 }
    const agent = providerAgent({ now: () => clock.now })
    const f = { agent, clock, iat: () => Math.floor(clock.now / 1000) }
    const [key, thief] = await Promise.all([generateDpopKey(), generateDpopKey()])
    const { code, verifier } = await signInForCode(agent)
    const tokens = await agent.request('POST', '/oauth/token', {
      form: { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: SPA.clientId, redirect_uri: SPA.redirectUris[0]! },
      headers: await withProof(f, key, 'POST', '/oauth/token'),
      noCookies: true,
    })
    expect(tokens.status).toBe(200)
    expect(tokens.body.token_type).toBe('DPoP')
    expect(decodeJwt(tokens.body.access_token).cnf).toEqual({ jkt: key.jkt })
    const refresh = async (headers: Record<string, string>) =>
      agent.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: SPA.clientId }, headers, noCookies: true })
    for (const headers of [await withProof(f, thief, 'POST', '/oauth/token'), {}]) {
      const response = await refresh(headers)
      expect(response.status).toBe(400)
      expect(response.body).toMatchObject({ error: 'invalid_grant', reason: 'dpop_binding' })
    }
    const owner = await refresh(await withProof(f, key, 'POST', '/oauth/token'))
    expect(owner.status).toBe(200)
    expect(owner.body.token_type).toBe('DPoP')
  })

  it('an unbound family refreshed with a proof gets a bound access token; a code redeemed without a proof gets a bearer one', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { refreshToken } = await f.agent.loginJwt()
    const response = await f.agent.request('POST', '/api/auth/refresh', { json: { refreshToken }, headers: await withProof(f, key, 'POST', '/api/auth/refresh') })
    expect(response.body.tokenType).toBe('DPoP')
    expect(decodeJwt(response.body.accessToken).cnf).toEqual({ jkt: key.jkt })

    const agent = providerAgent()
    const { code, verifier } = await signInForCode(agent)
    const tokens = await redeem(agent, code, verifier)
    expect(tokens.body.token_type).toBe('Bearer')
  })
})

describe('DPoP for clients on other origins, and in metadata', () => {
  it('CORS: preflight allows the DPoP header; answers expose DPoP-Nonce and WWW-Authenticate to trusted and client origins', async () => {
    const trusted = 'http://app.localhost:5173'
    const f = fixture({ trustedOrigins: [trusted], dpop: { nonce: true } })
    const preflight = await f.agent.request('OPTIONS', '/api/me', { headers: { origin: trusted, 'access-control-request-headers': 'authorization, dpop' } })
    expect(preflight.headers.get('access-control-allow-headers')).toContain('DPoP')
    const answer = await me(f, { origin: trusted, authorization: 'DPoP x.y.z', dpop: 'x' })
    expect(answer.headers.get('access-control-expose-headers')).toBe('Server-Timing, DPoP-Nonce, WWW-Authenticate')

    const provider = providerAgent()
    const token = await provider.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: 'x' }, headers: { origin: 'http://app.localhost:5173' } })
    expect(token.headers.get('access-control-expose-headers')).toBe('DPoP-Nonce, WWW-Authenticate')
  })

  it('discovery and RFC 8414 metadata advertise dpop_signing_alg_values_supported', async () => {
    for (const agent of [providerAgent(), inProcessAgent()]) {
      const metadata = await agent.request('GET', '/.well-known/oauth-authorization-server')
      expect(metadata.body.dpop_signing_alg_values_supported).toEqual(DPOP_ALGORITHMS)
    }
    expect((await providerAgent().request('GET', '/.well-known/openid-configuration')).body.dpop_signing_alg_values_supported).toContain('ES256')
  })

  it('Server-Timing names the proof check as its own step', async () => {
    const f = fixture()
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    const timing = (await dpopMe(f, key, accessToken)).headers.get('server-timing')
    expect(timing?.replace(/;dur=[\d.]+/g, '')).toBe('verify;desc="ES256", store;desc="memory", dpop;desc="proof"')
  })
})

describe('over real HTTP', () => {
  let http: Awaited<ReturnType<typeof httpAgent>>
  beforeAll(async () => {
    http = await httpAgent()
  })
  afterAll(() => http.close())

  it('D2 a bound token replayed from elsewhere as Bearer is refused; with its key\'s proof it is accepted', async () => {
    const f = { agent: http.agent, clock: { now: Date.now() }, iat: () => Math.floor(Date.now() / 1000) }
    const key = await generateDpopKey()
    const { accessToken } = await boundLogin(f, key)
    const stolen = await fetch(url(http.agent, '/api/me'), { headers: { authorization: `Bearer ${accessToken}` } })
    expect(stolen.status).toBe(401)
    expect(await stolen.json()).toMatchObject({ error: 'invalid_token', reason: 'bearer_downgrade' })
    expect(stolen.headers.get('www-authenticate')).toContain(ALGS)
    expect((await dpopMe(f, key, accessToken)).status).toBe(200)
  })
})
