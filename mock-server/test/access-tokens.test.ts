import { createHmac } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import { request as namedHttpsRequest } from 'node:https'
import { syncBuiltinESMExports } from 'node:module'
import { format } from 'node:util'
import { base64url, decodeJwt, decodeProtectedHeader, exportJWK, exportSPKI, generateKeyPair, importJWK, jwtVerify, type JWK, type JWSHeaderParameters, type JWTPayload } from 'jose'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMockBackend } from '../src/backend.ts'
import type { MockBackendOptions } from '../src/config.ts'
import { ConfigurationError } from '../src/domain/errors.ts'
import { RevocationList } from '../src/domain/revocation-list.ts'
import { MemoryRevocationRecords } from '../src/store/memory.ts'
import { httpAgent, inProcessAgent, testOptions, type Agent, type AgentResponse } from './agent.ts'

/**
 * Access-token verification (SECURITY.md M1–M7, M10, M20, M22–M25, M27, M31), against both signing
 * algorithms. Every rejection is asserted down to its status, error code and `reason`, and most
 * cases first show that the same claims, properly signed, are accepted, so a test cannot pass
 * because the token was broken in some other way.
 */

type Algorithm = 'ES256' | 'HS256'

const ISSUER = 'https://auth.authlens.test'
const AUDIENCE = 'authlens-api'
/** Whole seconds, so `exp` arithmetic in the tests is exact. */
const T0 = 1_800_000_000_000
const TOLERANCE = 5
const TTL = 300

const encoder = new TextEncoder()
const segment = (value: unknown) => base64url.encode(JSON.stringify(value))

interface Fixture {
  alg: Algorithm
  agent: Agent
  /** The kid of the server's key, which an attacker learns from any token. */
  kid: string
  /** HS256 only: the server's secret, so tests can sign headers `signToken` cannot produce. */
  secret: Uint8Array | undefined
  /** A key of the same algorithm the server has never seen, and its public JWK (for HS256, the secret as `oct`). */
  attackerKey: CryptoKey | Uint8Array
  attackerJwk: JWK
  /** Fake clock, ms. */
  clock: { now: number; advance(seconds: number): void }
  nowSeconds(): number
  claims(overrides?: JWTPayload): JWTPayload
  signToken(payload: JWTPayload, header?: JWSHeaderParameters): Promise<string>
  /** Signs arbitrary segments with the attacker's key. */
  forge(header: unknown, payload: string): Promise<string>
  /** HS256: signs with the server's secret; ES256: with the attacker's key (the server's private key is not reachable). */
  signHeader(header: unknown, payload: string): Promise<string>
  login(username?: string, password?: string): Promise<{ accessToken: string; refreshToken: string }>
  me(token: string): Promise<AgentResponse>
}

async function setup(alg: Algorithm, options: MockBackendOptions = {}): Promise<Fixture> {
  const clock = {
    now: T0,
    advance(seconds: number) {
      this.now += seconds * 1000
    },
  }
  const secret = alg === 'HS256' ? crypto.getRandomValues(new Uint8Array(32)) : undefined
  const agent = inProcessAgent({ algorithm: alg, now: () => clock.now, ...(secret ? { hmacSecret: secret } : {}), ...options })
  const kid = decodeProtectedHeader(await agent.backend.signToken({})).kid
  if (typeof kid !== 'string') throw new Error('server tokens carry no kid')
  let attackerKey: CryptoKey | Uint8Array
  let attackerJwk: JWK
  if (alg === 'HS256') {
    attackerKey = crypto.getRandomValues(new Uint8Array(32))
    attackerJwk = { kty: 'oct', k: base64url.encode(attackerKey) }
  } else {
    const pair = await generateKeyPair('ES256')
    attackerKey = pair.privateKey
    const { kty, crv, x, y } = await exportJWK(pair.publicKey)
    attackerJwk = { kty, crv, x, y }
  }
  const nowSeconds = () => Math.floor(clock.now / 1000)
  const fixture: Fixture = {
    alg,
    agent,
    kid,
    secret,
    attackerKey,
    attackerJwk,
    clock,
    nowSeconds,
    claims: (overrides = {}) => ({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'u_alice',
      iat: nowSeconds(),
      nbf: nowSeconds(),
      exp: nowSeconds() + TTL,
      jti: crypto.randomUUID(),
      name: 'Alice Liddell',
      role: 'user',
      ...overrides,
    }),
    signToken: (payload, header) => agent.backend.signToken(payload, header),
    forge: (header, payload) => signSegments(alg, attackerKey, typeof header === 'string' ? header : segment(header), payload),
    signHeader: (header, payload) =>
      signSegments(alg, secret ?? attackerKey, typeof header === 'string' ? header : segment(header), payload),
    async login(username = 'alice', password = 'wonderland') {
      const { accessToken, refreshToken } = await agent.loginJwt(username, password)
      if (!refreshToken) throw new Error('expected a refresh token in the body')
      return { accessToken, refreshToken }
    },
    me: (token) => agent.request('GET', '/api/me', { bearer: token }),
  }
  return fixture
}

async function signSegments(alg: Algorithm, key: CryptoKey | Uint8Array, header: string, payload: string): Promise<string> {
  const input = `${header}.${payload}`
  if (alg === 'HS256') {
    if (!(key instanceof Uint8Array)) throw new Error('HS256 needs a byte secret')
    return `${input}.${base64url.encode(createHmac('sha256', key).update(input).digest())}`
  }
  if (key instanceof Uint8Array) throw new Error('ES256 needs a CryptoKey')
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, encoder.encode(input))
  return `${input}.${base64url.encode(new Uint8Array(signature))}`
}

function hmac(hash: 'sha256' | 'sha384' | 'sha512', secret: Uint8Array, header: unknown, payload: unknown): string {
  const input = `${segment(header)}.${segment(payload)}`
  return `${input}.${base64url.encode(createHmac(hash, secret).update(input).digest())}`
}

/** Changes one character in the middle of a segment (never the last, whose low bits may be padding). */
function alterChar(value: string, index = Math.floor(value.length / 2)): string {
  const replacement = value[index] === 'A' ? 'B' : 'A'
  return value.slice(0, index) + replacement + value.slice(index + 1)
}

function split(token: string): [string, string, string] {
  const [header, payload, signature] = token.split('.')
  if (header === undefined || payload === undefined || signature === undefined) throw new Error('not a compact JWS')
  return [header, payload, signature]
}

function expectAccepted(response: AgentResponse, username = 'alice'): void {
  expect({ status: response.status, body: response.body }).toMatchObject({ status: 200, body: { via: 'bearer', user: { username } } })
}

/** 401 `invalid_token` with the expected `reason`, and the RFC 6750 challenge naming the error (M20). */
function expectRejected(response: AgentResponse, reason: string): void {
  expect({ status: response.status, error: response.body?.error, reason: response.body?.reason }).toEqual({
    status: 401,
    error: 'invalid_token',
    reason,
  })
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="authlens", error="invalid_token", error_description="[^"]+"$/)
}

/**
 * Blocks and records every way this process could reach the network: `fetch`, node:http(s)
 * `request`/`get` (module object and, through `syncBuiltinESMExports`, named imports), and below
 * them an MSW server that errors on, and records, any request that slips past the spies.
 */
function guardNetwork(): { attempts: string[] } {
  const state = { attempts: [] as string[] }
  const server = setupServer()
  server.events.on('request:start', ({ request }) => void state.attempts.push(`msw ${request.method} ${request.url}`))
  let restore: (() => void) | undefined
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())
  beforeEach(() => {
    state.attempts.length = 0
    restore = spyOnNetwork(state.attempts)
  })
  afterEach(() => restore?.())
  return state
}

function spyOnNetwork(attempts: string[]): () => void {
  const block = (kind: string) =>
    ((target: unknown) => {
      attempts.push(`${kind} ${describeTarget(target)}`)
      throw new Error(`network guard: ${kind} blocked`)
    }) as never
  const spies = [
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      attempts.push(`fetch ${describeTarget(input)}`)
      throw new TypeError('network guard: fetch blocked')
    }),
    vi.spyOn(http, 'request').mockImplementation(block('http.request')),
    vi.spyOn(http, 'get').mockImplementation(block('http.get')),
    vi.spyOn(https, 'request').mockImplementation(block('https.request')),
    vi.spyOn(https, 'get').mockImplementation(block('https.get')),
  ]
  syncBuiltinESMExports()
  return () => {
    for (const spy of spies) spy.mockRestore()
    syncBuiltinESMExports()
  }
}

function describeTarget(target: unknown): string {
  if (typeof target === 'string') return target
  if (target instanceof URL) return target.href
  if (target instanceof Request) return target.url
  if (target !== null && typeof target === 'object') {
    const { protocol = '', hostname, host, port, path = '' } = target as Record<string, string | undefined>
    return `${protocol}//${hostname ?? host ?? ''}${port ? `:${port}` : ''}${path}`
  }
  return String(target)
}

/** Everything written to the console or the process's output streams while `action` runs. */
async function captureOutput(action: () => Promise<void>): Promise<string> {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const
  const consoleSpies = methods.map((method) => vi.spyOn(console, method).mockImplementation(() => undefined))
  const streamSpies = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')]
  try {
    await action()
    return [
      ...consoleSpies.flatMap((spy) => spy.mock.calls.map((args) => format(...args))),
      ...streamSpies.flatMap((spy) => spy.mock.calls.map(([chunk]) => String(chunk))),
    ].join('\n')
  } finally {
    for (const spy of [...consoleSpies, ...streamSpies]) spy.mockRestore()
  }
}

const ATTACKER = 'https://attacker.example'
const JKU = `${ATTACKER}/.well-known/jwks.json`
const X5U = `${ATTACKER}/cert.pem`
const METADATA = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'

describe.each<Algorithm>(['ES256', 'HS256'])('access tokens signed with %s', (alg) => {
  let f: Fixture
  beforeEach(async () => {
    f = await setup(alg)
  })

  it('M1 rejects alg none (unsigned) with valid claims, empty or copied signature, any spelling', async () => {
    const claims = f.claims()
    expectAccepted(await f.me(await f.signToken(claims)))
    const payload = segment(claims)
    const realSignature = split(await f.signToken(claims))[2]
    const unsigned = `${segment({ alg: 'none', typ: 'at+jwt', kid: f.kid })}.${payload}.`
    expectRejected(await f.me(unsigned), 'malformed')
    for (const none of ['none', 'None', 'NONE', 'nOnE']) {
      expectRejected(await f.me(`${segment({ alg: none, typ: 'at+jwt', kid: f.kid })}.${payload}.${realSignature}`), 'algorithm')
    }
  })

  if (alg === 'ES256') {
    it('M2 rejects an HS256 token HMAC-signed with the published ES256 public key (JWK JSON, raw point, SPKI PEM)', async () => {
      const jwks = await f.agent.request('GET', '/.well-known/jwks.json')
      expect(jwks.status).toBe(200)
      const jwk = jwks.body.keys[0] as JWK
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: f.kid, alg: 'ES256' })
      expect(jwk).not.toHaveProperty('d')
      const publicKey = (await importJWK({ ...jwk, ext: true }, 'ES256', { extractable: true })) as CryptoKey
      const secrets: Record<string, Uint8Array> = {
        'JWK JSON': encoder.encode(JSON.stringify(jwk)),
        'raw EC point': new Uint8Array(await crypto.subtle.exportKey('raw', publicKey)),
        'SPKI PEM': encoder.encode(await exportSPKI(publicKey)),
        'x coordinate': base64url.decode(jwk.x!),
      }
      for (const [name, secret] of Object.entries(secrets)) {
        const token = hmac('sha256', secret, { alg: 'HS256', typ: 'at+jwt', kid: f.kid }, f.claims())
        // A verifier that let the token pick the algorithm would accept this token.
        await expect(jwtVerify(token, secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(f.clock.now) }), name).resolves.toBeDefined()
        expectRejected(await f.me(token), 'algorithm')
      }
    })
  } else {
    it('M2 publishes no HMAC key and accepts only HS256 for it: ES256 with its kid, HS384/HS512 with its own secret are rejected', async () => {
      const jwks = await f.agent.request('GET', '/.well-known/jwks.json')
      expect({ status: jwks.status, body: jwks.body }).toEqual({ status: 200, body: { keys: [] } })
      const claims = f.claims()
      const es256 = (await generateKeyPair('ES256')).privateKey
      expectRejected(await f.me(await signSegments('ES256', es256, segment({ alg: 'ES256', typ: 'at+jwt', kid: f.kid }), segment(claims))), 'algorithm')
      const secret = f.secret!
      expectAccepted(await f.me(hmac('sha256', secret, { alg: 'HS256', typ: 'at+jwt', kid: f.kid }, claims)))
      expectRejected(await f.me(hmac('sha384', secret, { alg: 'HS384', typ: 'at+jwt', kid: f.kid }, claims)), 'algorithm')
      expectRejected(await f.me(hmac('sha512', secret, { alg: 'HS512', typ: 'at+jwt', kid: f.kid }, claims)), 'algorithm')
    })
  }

  it('M3 rejects a signature altered by one character', async () => {
    const { accessToken } = await f.login()
    expectAccepted(await f.me(accessToken))
    const [header, payload, signature] = split(accessToken)
    for (const index of [0, 10, Math.floor(signature.length / 2), signature.length - 2]) {
      expectRejected(await f.me(`${header}.${payload}.${alterChar(signature, index)}`), 'signature')
    }
  })

  it('M3 rejects a payload altered with the signature kept (role, subject, expiry, one character)', async () => {
    const { accessToken } = await f.login()
    const [header, payload, signature] = split(accessToken)
    const claims = decodeJwt(accessToken)
    const variants = [
      segment({ ...claims, role: 'admin' }),
      segment({ ...claims, sub: 'u_carol' }),
      segment({ ...claims, exp: (claims.exp ?? 0) + 86_400 }),
      alterChar(payload, 5),
    ]
    for (const variant of variants) {
      expect(variant).not.toBe(payload)
      expectRejected(await f.me(`${header}.${variant}.${signature}`), 'signature')
    }
    expectRejected(await f.me(`${segment({ ...decodeProtectedHeader(accessToken), kid: f.kid, x: 1 })}.${payload}.${signature}`), 'signature')
  })

  it('M4 rejects a validly signed token with the wrong iss', async () => {
    const response = await f.me(await f.signToken(f.claims({ iss: 'https://evil.example' })))
    expectRejected(response, 'claim')
    expect(response.body.error_description).toContain('"iss"')
    const missing = f.claims()
    delete missing.iss
    expectRejected(await f.me(await f.signToken(missing)), 'claim')
  })

  it('M4 rejects a validly signed token with the wrong aud', async () => {
    for (const aud of ['another-api', ['another-api'], '']) {
      const response = await f.me(await f.signToken(f.claims({ aud })))
      expectRejected(response, 'claim')
      expect(response.body.error_description).toContain('"aud"')
    }
    expectAccepted(await f.me(await f.signToken(f.claims({ aud: ['another-api', AUDIENCE] }))))
  })

  it('M4 rejects a validly signed token without exp', async () => {
    const claims = f.claims()
    delete claims.exp
    const response = await f.me(await f.signToken(claims))
    expectRejected(response, 'claim')
    expect(response.body.error_description).toContain('"exp"')
  })

  it('M5 rejects a token expired by 1 s beyond the 5 s tolerance, accepts one inside it', async () => {
    const { accessToken } = await f.login()
    const { exp } = decodeJwt(accessToken)
    expect(exp).toBe(f.nowSeconds() + TTL)
    f.clock.advance(TTL + TOLERANCE - 1)
    expectAccepted(await f.me(accessToken))
    f.clock.advance(2)
    expectRejected(await f.me(accessToken), 'expired')

    const now = f.nowSeconds()
    expectAccepted(await f.me(await f.signToken(f.claims({ iat: now - 600, nbf: now - 600, exp: now - TOLERANCE + 1 }))))
    expectRejected(await f.me(await f.signToken(f.claims({ iat: now - 600, nbf: now - 600, exp: now - TOLERANCE - 1 }))), 'expired')
  })

  it('M5 tolerance is configurable: 0 s rejects a token 1 s past exp, 30 s accepts it', async () => {
    const strict = await setup(alg, { clockToleranceSeconds: 0 })
    const lenient = await setup(alg, { clockToleranceSeconds: 30 })
    for (const [fixture, expected] of [
      [strict, 'expired'],
      [lenient, 'accepted'],
    ] as const) {
      const now = fixture.nowSeconds()
      const response = await fixture.me(await fixture.signToken(fixture.claims({ iat: now - 60, nbf: now - 60, exp: now - 1 })))
      if (expected === 'accepted') expectAccepted(response)
      else expectRejected(response, expected)
    }
    expect(() => createMockBackend({ ...testOptions, clockToleranceSeconds: 301 })).toThrow(ConfigurationError)
  })

  it('M5 rejects nbf in the future beyond tolerance', async () => {
    const now = f.nowSeconds()
    expectAccepted(await f.me(await f.signToken(f.claims({ nbf: now + TOLERANCE }))))
    const response = await f.me(await f.signToken(f.claims({ nbf: now + TOLERANCE + 1 })))
    expectRejected(response, 'not_yet_valid')
    expectRejected(await f.me(await f.signToken(f.claims({ nbf: now + 3600 }))), 'not_yet_valid')
  })

  it('M5 rejects iat far in the future (no nbf)', async () => {
    const now = f.nowSeconds()
    const future = (iat: number) => {
      const claims = f.claims({ iat, exp: iat + TTL })
      delete claims.nbf
      return claims
    }
    expectAccepted(await f.me(await f.signToken(future(now + TOLERANCE))))
    expectRejected(await f.me(await f.signToken(future(now + TOLERANCE + 1))), 'issued_in_future')
    expectRejected(await f.me(await f.signToken(future(now + 86_400))), 'issued_in_future')
  })

  it('M6 rejects malformed tokens with 401 and a clear reason, never 500, and keeps serving', async () => {
    const { accessToken } = await f.login()
    const [header, payload, signature] = split(accessToken)
    const cases: Array<[string, string, string]> = [
      ['2 segments', `${header}.${payload}`, 'malformed'],
      ['4 segments', `${header}.${payload}.${signature}.${signature}`, 'malformed'],
      ['5 segments (JWE shape)', `${header}.${payload}.${signature}.${payload}.${signature}`, 'malformed'],
      ['empty segments', '..', 'malformed'],
      ['non-base64url: standard base64 alphabet', `${header}.${payload.replace(/-/g, '+').replace(/_/g, '/')}+/.${signature}`, 'malformed'],
      ['non-base64url: padding', `${header}==.${payload}.${signature}`, 'malformed'],
      ['non-base64url: punctuation', `${header}.${payload}.${signature.slice(0, 10)}$%${signature.slice(12)}`, 'malformed'],
      ['non-JSON header', `${base64url.encode('not json at all')}.${payload}.${signature}`, 'malformed'],
      ['JSON header that is not an object', `${segment(['ES256'])}.${payload}.${signature}`, 'malformed'],
      ['JSON string header', `${segment('alg')}.${payload}.${signature}`, 'malformed'],
      ['header that is not UTF-8', `${base64url.encode(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))}.${payload}.${signature}`, 'malformed'],
      ['header of one base64url character', `e.${payload}.${signature}`, 'malformed'],
      ['100 KB token', `${header}.${'A'.repeat(100 * 1024)}.${signature}`, 'too_large'],
      ['100 KB without dots', 'a'.repeat(100 * 1024), 'too_large'],
    ]
    for (const [name, token, reason] of cases) {
      const response = await f.me(token)
      expect(response.status, name).toBe(401)
      expect({ name, error: response.body.error, reason: response.body.reason }).toEqual({ name, error: 'invalid_token', reason })
    }
    for (const authorization of ['Bearer', 'Bearer ', `Bearer ${header} ${payload}`, `Basic ${accessToken}`, accessToken]) {
      const response = await f.agent.request('GET', '/api/me', { headers: { authorization } })
      expectRejected(response, 'malformed')
    }
    expectAccepted(await f.me(accessToken))
  })

  it('M6 rejects a validly signed token whose payload is not a JSON object', async () => {
    const header = { alg, typ: 'at+jwt', kid: f.kid }
    // Only the HS256 secret is reachable from a test; for ES256 the signature check comes first.
    const expected = alg === 'HS256' ? 'malformed' : 'signature'
    for (const payload of [base64url.encode('not json'), segment([1, 2, 3]), segment('claims'), segment(null)]) {
      expectRejected(await f.me(await f.signHeader(header, payload)), expected)
    }
  })

  it('M7 rejects a token naming an unknown kid, or none, even when signed with the server key', async () => {
    const claims = f.claims()
    expectAccepted(await f.me(await f.signToken(claims)))
    expectRejected(await f.me(await f.signToken(claims, { kid: 'some-other-key' })), 'unknown_key')
    expectRejected(await f.me(await f.signToken(claims, { kid: `${f.kid}x` })), 'unknown_key')
    expectRejected(await f.me(await f.signToken(claims, { kid: undefined })), 'unknown_key')
  })

  it('M10 (default revokeAccessTokenOnLogout: true) rejects the access token immediately after logout with reason revoked', async () => {
    expect(f.agent.backend.options.revokeAccessTokenOnLogout).toBe(true)
    const { accessToken, refreshToken } = await f.login()
    expectAccepted(await f.me(accessToken))
    const logout = await f.agent.request('POST', '/api/auth/logout', { bearer: accessToken, json: { refreshToken } })
    expect({ status: logout.status, signedOut: logout.body.signedOut }).toEqual({ status: 200, signedOut: true })
    expect(f.agent.backend.snapshot().revokedAccessTokens).toBe(1)
    expectRejected(await f.me(accessToken), 'revoked')
  })

  it('M10 (revokeAccessTokenOnLogout: false) keeps accepting the access token after logout until exp, then rejects it', async () => {
    const g = await setup(alg, { revokeAccessTokenOnLogout: false })
    const { accessToken, refreshToken } = await g.login()
    const logout = await g.agent.request('POST', '/api/auth/logout', { bearer: accessToken, json: { refreshToken } })
    expect({ status: logout.status, signedOut: logout.body.signedOut }).toEqual({ status: 200, signedOut: true })
    expect(g.agent.backend.snapshot().revokedAccessTokens).toBe(0)
    expectAccepted(await g.me(accessToken))
    // The refresh family is gone all the same: the access token is the only thing still alive.
    const refresh = await g.agent.request('POST', '/api/auth/refresh', { json: { refreshToken } })
    expect({ status: refresh.status, error: refresh.body.error }).toEqual({ status: 401, error: 'invalid_grant' })
    g.clock.advance(TTL - 1)
    expectAccepted(await g.me(accessToken))
    g.clock.advance(1 + TOLERANCE + 1)
    expectRejected(await g.me(accessToken), 'expired')
  })

  it('M20 a bad token gets 401 with WWW-Authenticate: Bearer realm, error="invalid_token"', async () => {
    const { accessToken } = await f.login()
    const [header, payload, signature] = split(accessToken)
    const bad = [`${header}.${payload}.${alterChar(signature)}`, 'garbage', `${header}.${payload}`]
    for (const token of bad) {
      const response = await f.me(token)
      expect(response.status).toBe(401)
      expect(response.body.error).toBe('invalid_token')
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="authlens", error="invalid_token", error_description="[^"]+"$/)
    }
    f.clock.advance(TTL + TOLERANCE + 1)
    const expired = await f.me(accessToken)
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('M20 a request without credentials gets 401 with WWW-Authenticate: Bearer realm and no error', async () => {
    for (const path of ['/api/me', '/api/admin/users', '/api/notes']) {
      const response = await f.agent.request('GET', path)
      expect({ path, status: response.status, error: response.body.error }).toEqual({ path, status: 401, error: 'missing_credentials' })
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="authlens"')
    }
  })

  it('M20 alice calling /api/admin/users gets 403 insufficient_scope; carol gets 200', async () => {
    const alice = await f.login()
    const denied = await f.agent.request('GET', '/api/admin/users', { bearer: alice.accessToken })
    expect({ status: denied.status, error: denied.body.error }).toEqual({ status: 403, error: 'insufficient_scope' })
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="authlens", error="insufficient_scope"')
    const bob = await f.login('bob', 'builder-bob')
    expect((await f.agent.request('GET', '/api/admin/users', { bearer: bob.accessToken })).status).toBe(403)
    // A forged admin role in the claims does not help: roles come from the directory, not the token.
    const forgedRole = await f.signToken(f.claims({ role: 'admin' }))
    expect((await f.agent.request('GET', '/api/admin/users', { bearer: forgedRole })).status).toBe(403)
    const carol = await f.login('carol', 'carol-admin')
    const allowed = await f.agent.request('GET', '/api/admin/users', { bearer: carol.accessToken })
    expect(allowed.status).toBe(200)
    expect(allowed.body).toHaveProperty('refreshFamilies')
  })

  // For ES256 the server's private key is not reachable, so these headers are signed with another
  // key: the reasons asserted below (not "signature") show the header was refused before the signature.
  it('M22 rejects crit with an unknown extension', async () => {
    const payload = segment(f.claims())
    const base = { alg, typ: 'at+jwt', kid: f.kid }
    expectRejected(await f.me(await f.signHeader({ ...base, crit: ['urn:authlens:unknown'], 'urn:authlens:unknown': true }, payload)), 'unsupported')
    expectRejected(await f.me(await f.signHeader({ ...base, crit: ['exp'], exp: 1 }, payload)), 'unsupported')
    if (alg === 'HS256') expectAccepted(await f.me(await f.signHeader(base, payload)))
  })

  it('M22 rejects crit naming a parameter absent from the header, and malformed crit values', async () => {
    const payload = segment(f.claims())
    const base = { alg, typ: 'at+jwt', kid: f.kid }
    expectRejected(await f.me(await f.signHeader({ ...base, crit: ['b64'] }, payload)), 'malformed')
    expectRejected(await f.me(await f.signHeader({ ...base, crit: [] }, payload)), 'malformed')
    expectRejected(await f.me(await f.signHeader({ ...base, crit: 'b64', b64: true }, payload)), 'malformed')
    expectRejected(await f.me(await f.signHeader({ ...base, crit: [''] }, payload)), 'malformed')
  })

  it('M22 rejects b64: false, with crit (unencoded payload) and without crit (server-signed)', async () => {
    const claims = f.claims()
    const header = { alg, typ: 'at+jwt', kid: f.kid, b64: false, crit: ['b64'] }
    expectRejected(await f.me(await f.signHeader(header, JSON.stringify(claims))), 'malformed')
    // An unencoded payload made only of base64url characters gets past the shape check.
    expectRejected(await f.me(await f.signHeader(header, 'abc')), 'unsupported')
    // jose's SignJWT refuses b64: false with crit, but signs it without crit (jose's verifier then
    // ignores it): such a token, signed with the server's own key, is refused all the same.
    expectAccepted(await f.me(await f.signToken(claims)))
    expectRejected(await f.me(await f.signToken(claims, { b64: false })), 'unsupported')
    expectRejected(await f.me(await f.signToken(claims, { b64: true })), 'unsupported')
  })

  it('M24 reports a forged token that is also expired as a signature failure, not expiry', async () => {
    const now = f.nowSeconds()
    const claims = f.claims({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 })
    const header = { alg, typ: 'at+jwt', kid: f.kid }
    expectRejected(await f.me(await f.signToken(claims)), 'expired')
    expectRejected(await f.me(await f.forge(header, segment(claims))), 'signature')
    const everythingWrong = f.claims({ iss: 'https://evil.example', aud: 'x', iat: now + 9999, nbf: now + 9999, exp: now - 3600 })
    expectRejected(await f.me(await f.forge(header, segment(everythingWrong))), 'signature')
    const { accessToken } = await f.login()
    f.clock.advance(TTL + 3600)
    const [h, p, s] = split(accessToken)
    expectRejected(await f.me(accessToken), 'expired')
    expectRejected(await f.me(`${h}.${p}.${alterChar(s)}`), 'signature')
  })

  it('M27 rejects ?access_token= in the query with 400 invalid_request and never logs or echoes the token', async () => {
    const { accessToken, refreshToken } = await f.login()
    const responses: AgentResponse[] = []
    const output = await captureOutput(async () => {
      console.info('capture-check')
      const query = `access_token=${encodeURIComponent(accessToken)}`
      responses.push(await f.agent.request('GET', `/api/me?${query}`))
      responses.push(await f.agent.request('GET', `/api/me?${query}`, { bearer: accessToken }))
      responses.push(await f.agent.request('GET', `/api/notes?x=1&${query}`))
      responses.push(await f.agent.request('POST', `/api/auth/logout?${query}`, { bearer: accessToken, json: { refreshToken } }))
    })
    expect(output).toContain('capture-check')
    expect(output).not.toContain(accessToken)
    expect(output).not.toContain(split(accessToken)[2])
    for (const response of responses) {
      expect({ status: response.status, error: response.body.error }).toEqual({ status: 400, error: 'invalid_request' })
      expect(JSON.stringify(response.body)).not.toContain(split(accessToken)[2])
      expect(JSON.stringify([...response.headers])).not.toContain(split(accessToken)[2])
    }
    // The refused logout changed nothing.
    expectAccepted(await f.me(accessToken))
    expect(f.agent.backend.snapshot().revokedAccessTokens).toBe(0)
  })

  it('M31 revocation is keyed by jti: another encoding with the same jti stays revoked, another jti does not', async () => {
    const { accessToken, refreshToken } = await f.login()
    const claims = decodeJwt(accessToken)
    const sameJti = await f.signToken({ ...claims, iat: (claims.iat ?? 0) - 1 })
    const otherJti = await f.signToken({ ...claims, jti: crypto.randomUUID() })
    expect(sameJti).not.toBe(accessToken)
    expectAccepted(await f.me(sameJti))
    expectAccepted(await f.me(otherJti))
    await f.agent.request('POST', '/api/auth/logout', { bearer: accessToken, json: { refreshToken } })
    expectRejected(await f.me(accessToken), 'revoked')
    expectRejected(await f.me(sameJti), 'revoked')
    expectAccepted(await f.me(otherJti))
  })

  describe('under a network guard', () => {
    const net = guardNetwork()

    it('M23 the network guard catches a fetch, http(s) request or MSW-level request for the jku URL', async () => {
      await expect(fetch(JKU)).rejects.toThrow(/network guard/)
      expect(() => https.get(JKU)).toThrow(/network guard/)
      expect(() => namedHttpsRequest(X5U)).toThrow(/network guard/)
      expect(() => http.request({ protocol: 'http:', hostname: '169.254.169.254', path: '/latest' })).toThrow(/network guard/)
      expect(net.attempts).toEqual([`fetch ${JKU}`, `https.get ${JKU}`, `https.request ${X5U}`, 'http.request http://169.254.169.254/latest'])
      // Beneath the spies, MSW refuses and records whatever reaches the platform's fetch.
      net.attempts.length = 0
      vi.mocked(globalThis.fetch).mockRestore()
      await expect(fetch(JKU)).rejects.toThrow()
      expect(net.attempts).toEqual([`msw GET ${JKU}`])
      net.attempts.length = 0
    })

    it('M7 ignores jku/x5u headers: a server-signed token with them is accepted, an attacker-signed one rejected, nothing fetched', async () => {
      const claims = f.claims()
      expectAccepted(await f.me(await f.signToken(claims, { jku: JKU, x5u: X5U })))
      expectAccepted(await f.me(await f.signToken(claims, { jku: METADATA })))
      const header = { alg, typ: 'at+jwt', kid: f.kid, jku: JKU, x5u: X5U }
      expectRejected(await f.me(await f.forge(header, segment(claims))), 'signature')
      expectRejected(await f.me(await f.forge({ ...header, kid: 'attacker-key' }, segment(claims))), 'unknown_key')
      expect(net.attempts).toEqual([])
    })

    it('M23 key-naming headers pointing at attacker material are ignored for key choice: 401, never 500, zero requests', async () => {
      const claims = f.claims()
      const payload = segment(claims)
      // The embedded JWK is the very key that signed the token: trusting it would accept the forgery.
      const attackerJwk = f.attackerJwk
      const x5c = [base64url.encode(crypto.getRandomValues(new Uint8Array(300))).replace(/-/g, '+').replace(/_/g, '/')]
      const hostile: Array<Record<string, unknown>> = [
        { jku: JKU },
        { x5u: X5U },
        { jku: METADATA },
        { x5u: 'file:///etc/passwd' },
        { jwk: attackerJwk },
        { x5c },
        { jku: JKU, x5u: X5U, jwk: attackerJwk, x5c },
      ]
      for (const extra of hostile) {
        const header = { alg, typ: 'at+jwt', kid: f.kid, ...extra }
        // Signed by the attacker, with the server's kid: the named material is not used to verify.
        expectRejected(await f.me(await f.forge(header, payload)), 'signature')
        // Signed by the server: the extra headers change nothing.
        expectAccepted(await f.me(await f.signToken(claims, extra as JWSHeaderParameters)))
      }
      expect(net.attempts).toEqual([])
    })

    it('M23 hostile kid values (path, SQL, 10 KB, non-string) are rejected with 401, never 500, zero requests', async () => {
      const claims = f.claims()
      const payload = segment(claims)
      const kids: Array<[string, unknown, string]> = [
        ['path traversal', '../../dev/null', 'unknown_key'],
        ['SQL injection', "' OR 1=1--", 'unknown_key'],
        ['URL', JKU, 'unknown_key'],
        ['10 KB string', 'k'.repeat(10 * 1024), 'too_large'],
        ['number', 42, 'unknown_key'],
        ['null', null, 'unknown_key'],
        ['object', { $ne: null }, 'unknown_key'],
        ['array', [f.kid], 'unknown_key'],
        ['empty', '', 'unknown_key'],
      ]
      for (const [name, kid, reason] of kids) {
        const header = { alg, typ: 'at+jwt', kid }
        for (const token of [await f.forge(header, payload), await f.signToken(claims, { kid: kid as string })]) {
          const response = await f.me(token)
          expect(response.status, name).toBe(401)
          expect({ name, error: response.body.error, reason: response.body.reason }).toEqual({ name, error: 'invalid_token', reason })
        }
      }
      expect(net.attempts).toEqual([])
    })
  })
})

describe('ES256 only', () => {
  /** The P-256 group order: (r, n − s) is a second valid ECDSA signature for the same message. */
  const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

  function malleate(token: string): string {
    const [header, payload, signature] = split(token)
    const bytes = base64url.decode(signature)
    const s = BigInt(`0x${Buffer.from(bytes.slice(32)).toString('hex')}`)
    const flipped = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex')
    return `${header}.${payload}.${base64url.encode(Buffer.concat([bytes.slice(0, 32), flipped]))}`
  }

  it('M31 a revoked token re-encoded with the other valid ECDSA signature (r, n−s) is still rejected as revoked', async () => {
    const f = await setup('ES256')
    const { accessToken, refreshToken } = await f.login()
    const twin = malleate(accessToken)
    expect(twin).not.toBe(accessToken)
    expect(split(twin).slice(0, 2)).toEqual(split(accessToken).slice(0, 2))
    // Both encodings verify: a denylist of raw tokens or their hashes would miss the twin.
    expectAccepted(await f.me(twin))
    const logout = await f.agent.request('POST', '/api/auth/logout', { bearer: accessToken, json: { refreshToken } })
    expect(logout.status).toBe(200)
    expectRejected(await f.me(accessToken), 'revoked')
    expectRejected(await f.me(twin), 'revoked')
  })

  it('M31 revoking through the twin encoding revokes the original too', async () => {
    const f = await setup('ES256')
    const { accessToken } = await f.login()
    const twin = malleate(accessToken)
    expect((await f.agent.request('POST', '/api/auth/logout', { bearer: twin, json: {} })).status).toBe(200)
    expectRejected(await f.me(accessToken), 'revoked')
  })
})

describe('revocation list', () => {
  it('M31 entries are keyed by (iss, jti): same jti under another issuer is a different entry, no separator confusion', () => {
    const list = new RevocationList(new MemoryRevocationRecords())
    list.add('https://a.example', 'jti-1', 2_000)
    expect(list.has('https://a.example', 'jti-1', 1_000)).toBe(true)
    expect(list.has('https://b.example', 'jti-1', 1_000)).toBe(false)
    list.add('a|b', 'c', 2_000)
    expect(list.has('a', 'b|c', 1_000)).toBe(false)
    expect(list.has('https://a.example', 'jti-1', 2_001)).toBe(false)
  })
})

describe('HMAC secret strength', () => {
  function configurationError(hmacSecret: string | Uint8Array): unknown {
    try {
      createMockBackend({ ...testOptions, algorithm: 'HS256', hmacSecret })
    } catch (error) {
      return error
    }
    return undefined
  }

  it('M25 refuses a 16-byte secret with ConfigurationError weak_secret', () => {
    for (const secret of [crypto.getRandomValues(new Uint8Array(16)), base64url.encode(crypto.getRandomValues(new Uint8Array(16))), crypto.getRandomValues(new Uint8Array(31))]) {
      const error = configurationError(secret)
      expect(error).toBeInstanceOf(ConfigurationError)
      expect(error).toMatchObject({ name: 'ConfigurationError', code: 'weak_secret' })
    }
  })

  it('M25 refuses passphrase-like secrets, short or long', () => {
    const passphrases = [
      'correct horse battery staple',
      'correct horse battery staple correct horse battery staple',
      'Correct-Horse-Battery-Staple-Is-Not-A-Secret-Key',
      'my_super_secret_signing_key_2024_for_jwt_tokens',
      'CorrectHorseBatteryStapleCorrectHorseBatteryStaple',
    ]
    // All but the first are long enough to pass the length check: only the passphrase test can refuse them.
    expect(passphrases.slice(1).every((secret) => encoder.encode(secret).length >= 32)).toBe(true)
    for (const secret of passphrases) {
      const error = configurationError(secret)
      expect(error, secret).toBeInstanceOf(ConfigurationError)
      expect(error, secret).toMatchObject({ code: 'weak_secret' })
    }
    expect(configurationError(new Uint8Array(32).fill(7))).toMatchObject({ code: 'weak_secret' })
  })

  it('M25 accepts the base64url of 32 random bytes, including ones that happen to be all letters', () => {
    // Both once refused as passphrases: random letters that a case-insensitive word test mistook for words.
    for (const secret of ['XcIaYEoUzpmsfG-TMqyYGskgqDnYhZheCeWnrarXoyY', 'DOfzZuCNom_NYHJtyknmCBDXJWfV8-RPndUexVZFE24']) {
      expect(configurationError(secret), secret).toBeUndefined()
    }
    for (let i = 0; i < 50; i++) {
      const secret = base64url.encode(crypto.getRandomValues(new Uint8Array(32)))
      expect(configurationError(secret), secret).toBeUndefined()
    }
  })

  it('M25 accepts 32 random bytes, and tokens signed with that secret are the ones it accepts', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32))
    expect(configurationError(secret)).toBeUndefined()
    const f = await setup('HS256')
    expect(f.secret).toHaveLength(32)
    const claims = f.claims()
    expectAccepted(await f.me(hmac('sha256', f.secret!, { alg: 'HS256', typ: 'at+jwt', kid: f.kid }, claims)))
    expectRejected(await f.me(hmac('sha256', secret, { alg: 'HS256', typ: 'at+jwt', kid: f.kid }, claims)), 'signature')
  })
})

describe('over a real HTTP server', () => {
  it('M6 malformed tokens get 401 invalid_token over real HTTP too, never 500', async () => {
    const { agent, close } = await httpAgent()
    try {
      const { accessToken } = await agent.loginJwt()
      const [header, payload, signature] = split(accessToken)
      const cases: Array<[string, string]> = [
        [`${header}.${payload}`, 'malformed'],
        [`${header}.${payload}.${signature}.x`, 'malformed'],
        [`${base64url.encode('nope')}.${payload}.${signature}`, 'malformed'],
        [`${header}.${'A'.repeat(12 * 1024)}.${signature}`, 'too_large'],
      ]
      for (const [token, reason] of cases) {
        expectRejected(await agent.request('GET', '/api/me', { bearer: token }), reason)
      }
      expectAccepted(await agent.request('GET', '/api/me', { bearer: accessToken }))
    } finally {
      await close()
    }
  })

  it('M27 a query-string access_token is refused over real HTTP and never reaches the console', async () => {
    const { agent, close } = await httpAgent()
    try {
      const { accessToken } = await agent.loginJwt()
      let response: AgentResponse | undefined
      const output = await captureOutput(async () => {
        response = await agent.request('GET', `/api/me?access_token=${accessToken}`)
      })
      expect({ status: response?.status, error: response?.body.error }).toEqual({ status: 400, error: 'invalid_request' })
      expect(output).not.toContain(split(accessToken)[2])
      expect(JSON.stringify(response?.body)).not.toContain(split(accessToken)[2])
    } finally {
      await close()
    }
  })
})
