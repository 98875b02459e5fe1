import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { describe, expect, it } from 'vitest'
import { DPOP_ALGORITHMS } from '../src/domain/dpop.ts'
import { httpAgent, inProcessAgent, type Agent, type AgentResponse } from './agent.ts'

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

function token(agent: Agent, form: Record<string, string>, path = '/oauth/token'): Promise<AgentResponse> {
  return agent.request('POST', path, { form })
}

function revoke(agent: Agent, form: Record<string, string>, path = '/oauth/revoke'): Promise<AgentResponse> {
  return agent.request('POST', path, { form })
}

/** A sign-in through the JSON login; the token endpoint serves its refresh token (same families). */
async function signIn(agent: Agent, username = 'alice', password = 'wonderland') {
  const { accessToken, refreshToken } = await agent.loginJwt(username, password)
  return { access_token: accessToken, refresh_token: refreshToken! }
}

function expectNoStore(response: AgentResponse): void {
  expect(response.headers.get('cache-control')).toBe('no-store')
  expect(response.headers.get('pragma')).toBe('no-cache')
}

function wholeResponse(response: AgentResponse): string {
  return [String(response.status), ...[...response.headers].map(([name, value]) => `${name}: ${value}`), JSON.stringify(response.body)].join('\n')
}

describe('RFC 6749 token endpoint', () => {
  it('the password grant is not offered (RFC 9700 §2.4): 400 unsupported_grant_type, and nobody is signed in', async () => {
    const agent = inProcessAgent()
    const response = await token(agent, { grant_type: 'password', username: 'alice', password: 'wonderland', client_id: 'authlens-demo' })
    expect(response.status).toBe(400)
    expect(response.body.error).toBe('unsupported_grant_type')
    expect(response.body.access_token).toBeUndefined()
    expect(agent.backend.snapshot()).toMatchObject({ logins: 0, failedLogins: 0, liveRefreshFamilies: 0 })
  })

  it('refresh_token grant rotates: a new pair in snake_case, and the old refresh token is then invalid_grant (reason refresh_token_reused)', async () => {
    const agent = inProcessAgent()
    const first = await signIn(agent)
    const rotated = await token(agent, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'authlens-demo', scope: 'x' })
    expect(rotated.status).toBe(200)
    expect(Object.keys(rotated.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type'])
    expect(rotated.body.refresh_token).toMatch(TOKEN_SHAPE)
    expect(rotated.body.refresh_token).not.toBe(first.refresh_token)
    expect(rotated.body.access_token).not.toBe(first.access_token)
    expect((await agent.request('GET', '/api/me', { bearer: rotated.body.access_token })).status).toBe(200)

    const reused = await token(agent, { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    expect(reused.status).toBe(400)
    expect(reused.body.error).toBe('invalid_grant')
    expect(reused.body.reason).toBe('refresh_token_reused')
    // Reuse revoked the family (M8): the newest token is dead as well.
    const newest = await token(agent, { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token })
    expect(newest.status).toBe(400)
    expect(newest.body.error).toBe('invalid_grant')
    expect(agent.backend.snapshot().reuseDetections).toBe(1)
  })

  it('§5.2: an unknown or forged refresh token is 400 invalid_grant', async () => {
    const agent = inProcessAgent()
    const response = await token(agent, { grant_type: 'refresh_token', refresh_token: 'A'.repeat(43) })
    expect(response.status).toBe(400)
    expect(response.body.error).toBe('invalid_grant')
  })

  it('§5.2: grant types other than refresh_token (and authorization_code, with registered clients) are 400 unsupported_grant_type', async () => {
    const agent = inProcessAgent()
    for (const grantType of ['client_credentials', 'password', 'authorization_code', 'urn:ietf:params:oauth:grant-type:device_code', 'REFRESH_TOKEN']) {
      const response = await token(agent, { grant_type: grantType, username: 'alice', password: 'wonderland', code: 'abc' })
      expect(response.status).toBe(400)
      expect(response.body.error).toBe('unsupported_grant_type')
      expectNoStore(response)
    }
    expect(agent.backend.snapshot().logins).toBe(0)
  })

  it('§5.2: missing parameters are 400 invalid_request', async () => {
    const agent = inProcessAgent()
    const cases: Array<Record<string, string>> = [
      {},
      { username: 'alice', password: 'wonderland' },
      { grant_type: '' },
      { grant_type: 'refresh_token' },
      { grant_type: 'refresh_token', refresh_token: '' },
    ]
    for (const form of cases) {
      const response = await token(agent, form)
      expect({ form, status: response.status, error: response.body.error }).toEqual({ form, status: 400, error: 'invalid_request' })
      expectNoStore(response)
    }
  })

  it('the token endpoint is form-encoded by spec: a JSON body (or text/plain, or none) is 415', async () => {
    const agent = inProcessAgent()
    const { refresh_token } = await signIn(agent)
    const json = await agent.request('POST', '/oauth/token', { json: { grant_type: 'refresh_token', refresh_token } })
    expect(json.status).toBe(415)
    expect(json.body.error).toBe('unsupported_media_type')
    expectNoStore(json)
    const text = await agent.request('POST', '/oauth/token', {
      body: `grant_type=refresh_token&refresh_token=${refresh_token}`,
      headers: { 'content-type': 'text/plain' },
    })
    expect(text.status).toBe(415)
    expect(text.body.error).toBe('unsupported_media_type')
    const none = await agent.request('POST', '/oauth/token')
    expect(none.status).toBe(415)
    expect(agent.backend.snapshot().refreshes).toBe(0)
  })

  it('GET on the token endpoint is 405 with Allow: POST', async () => {
    const agent = inProcessAgent()
    const { refresh_token } = await signIn(agent)
    const response = await agent.request('GET', `/oauth/token?grant_type=refresh_token&refresh_token=${refresh_token}`)
    expect(response.status).toBe(405)
    expect(response.body.error).toBe('method_not_allowed')
    expect(response.headers.get('allow')).toBe('POST, OPTIONS')
    expect(agent.backend.snapshot().refreshes).toBe(0)
  })

  it('a cross-site POST to the token endpoint from a site that is no registered client is 403 csrf_failed', async () => {
    const agent = inProcessAgent()
    const { refresh_token } = await signIn(agent)
    const response = await agent.request('POST', '/oauth/token', {
      form: { grant_type: 'refresh_token', refresh_token },
      from: 'https://attacker.example',
    })
    expect(response.status).toBe(403)
    expect(response.body.error).toBe('csrf_failed')
    expect(agent.backend.snapshot().refreshes).toBe(0)
  })

  it('M26 token endpoint success responses carry Cache-Control: no-store and Pragma: no-cache', async () => {
    const agent = inProcessAgent()
    const login = await signIn(agent)
    const rotated = await token(agent, { grant_type: 'refresh_token', refresh_token: login.refresh_token })
    expect(rotated.status).toBe(200)
    expectNoStore(rotated)
    const revoked = await revoke(agent, { token: rotated.body.refresh_token })
    expect(revoked.status).toBe(200)
    expectNoStore(revoked)
  })

  it('M26 token endpoint error responses carry no-store and never echo the token or password sent', async () => {
    const agent = inProcessAgent()
    const first = await signIn(agent)
    const rotated = await token(agent, { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    const unknown = 'Zz'.repeat(21) + 'Q'
    const tooLong = `${first.refresh_token}${'y'.repeat(600)}`
    const cases: Array<{ response: AgentResponse; status: number; error: string; secret: string }> = [
      { response: await token(agent, { grant_type: 'refresh_token', refresh_token: unknown }), status: 400, error: 'invalid_grant', secret: unknown },
      {
        response: await token(agent, { grant_type: 'refresh_token', refresh_token: first.refresh_token }),
        status: 400,
        error: 'invalid_grant',
        secret: first.refresh_token,
      },
      {
        response: await token(agent, { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token }),
        status: 400,
        error: 'invalid_grant',
        secret: rotated.body.refresh_token,
      },
      { response: await token(agent, { grant_type: 'refresh_token', refresh_token: tooLong }), status: 400, error: 'invalid_request', secret: tooLong.slice(0, 43) },
      {
        response: await token(agent, { grant_type: 'password', username: 'alice', password: 'Secret-Guess-42' }),
        status: 400,
        error: 'unsupported_grant_type',
        secret: 'Secret-Guess-42',
      },
      {
        response: await agent.request('POST', '/oauth/token', { json: { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token } }),
        status: 415,
        error: 'unsupported_media_type',
        secret: rotated.body.refresh_token,
      },
      {
        response: await agent.request('POST', '/oauth/revoke', { json: { token: rotated.body.access_token } }),
        status: 415,
        error: 'unsupported_media_type',
        secret: rotated.body.access_token,
      },
    ]
    for (const { response, status, error, secret } of cases) {
      expect({ status: response.status, error: response.body.error }).toEqual({ status, error })
      expectNoStore(response)
      expect(wholeResponse(response)).not.toContain(secret)
    }
  })

  it('M26 over real HTTP: the token endpoint keeps no-store on success and error', async () => {
    const { agent, close } = await httpAgent()
    try {
      const ok = await token(agent, { grant_type: 'refresh_token', refresh_token: (await signIn(agent)).refresh_token })
      expect(ok.status).toBe(200)
      expectNoStore(ok)
      const failed = await token(agent, { grant_type: 'client_credentials' })
      expect(failed.status).toBe(400)
      expect(failed.body.error).toBe('unsupported_grant_type')
      expectNoStore(failed)
    } finally {
      await close()
    }
  })
})

describe('RFC 7009 revocation', () => {
  it('revoking a refresh token kills its whole family; the same user\'s other sign-in keeps working', async () => {
    const agent = inProcessAgent()
    const first = await signIn(agent)
    const other = await signIn(agent)
    const rotated = await token(agent, { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    expect(rotated.status).toBe(200)

    const response = await revoke(agent, { token: rotated.body.refresh_token, token_type_hint: 'refresh_token', client_id: 'authlens-demo' })
    expect(response.status).toBe(200)
    expect(response.body).toBeNull()

    const after = await token(agent, { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token })
    expect(after.status).toBe(400)
    expect(after.body.error).toBe('invalid_grant')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(1)
    expect((await token(agent, { grant_type: 'refresh_token', refresh_token: other.refresh_token })).status).toBe(200)
  })

  it('revoking an already rotated refresh token also kills the family it belongs to', async () => {
    const agent = inProcessAgent()
    const first = await signIn(agent)
    const rotated = await token(agent, { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    expect((await revoke(agent, { token: first.refresh_token })).status).toBe(200)
    const after = await token(agent, { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token })
    expect(after.status).toBe(400)
    expect(after.body.error).toBe('invalid_grant')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
  })

  it('an unknown, garbage or already revoked token is still 200 (§2.2) and changes nothing', async () => {
    const agent = inProcessAgent()
    const grant = await signIn(agent)
    for (const value of ['A'.repeat(43), 'not-a-token', 'a.b.c', grant.refresh_token, grant.refresh_token]) {
      const response = await revoke(agent, { token: value })
      expect(response.status).toBe(200)
      expectNoStore(response)
    }
    const snapshot = agent.backend.snapshot()
    expect(snapshot.liveRefreshFamilies).toBe(0)
    expect(snapshot.revokedAccessTokens).toBe(0)
  })

  it('an unknown token leaves every live family alone', async () => {
    const agent = inProcessAgent()
    const grant = await signIn(agent)
    expect((await revoke(agent, { token: 'A'.repeat(43) })).status).toBe(200)
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(1)
    expect((await token(agent, { grant_type: 'refresh_token', refresh_token: grant.refresh_token })).status).toBe(200)
  })

  it('revoking an access token puts it on the revocation list; its refresh family lives on', async () => {
    const agent = inProcessAgent()
    const grant = await signIn(agent)
    expect((await revoke(agent, { token: grant.access_token, token_type_hint: 'access_token' })).status).toBe(200)
    const me = await agent.request('GET', '/api/me', { bearer: grant.access_token })
    expect(me.status).toBe(401)
    expect(me.body.error).toBe('invalid_token')
    expect(me.body.reason).toBe('revoked')
    expect(agent.backend.snapshot().revokedAccessTokens).toBe(1)
    expect((await token(agent, { grant_type: 'refresh_token', refresh_token: grant.refresh_token })).status).toBe(200)
  })

  it('a revocation request without token is 400 invalid_request; a JSON body is 415', async () => {
    const agent = inProcessAgent()
    const missing = await revoke(agent, { token_type_hint: 'refresh_token' })
    expect(missing.status).toBe(400)
    expect(missing.body.error).toBe('invalid_request')
    const json = await agent.request('POST', '/oauth/revoke', { json: { token: 'A'.repeat(43) } })
    expect(json.status).toBe(415)
    expect(json.body.error).toBe('unsupported_media_type')
  })
})

describe('RFC 8414 metadata and JWKS', () => {
  it('metadata names the issuer, endpoints and supported grants', async () => {
    const agent = inProcessAgent()
    const response = await agent.request('GET', '/.well-known/oauth-authorization-server')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.body).toEqual({
      issuer: 'https://auth.authlens.test',
      token_endpoint: 'http://localhost/oauth/token',
      revocation_endpoint: 'http://localhost/oauth/revoke',
      jwks_uri: 'http://localhost/.well-known/jwks.json',
      grant_types_supported: ['refresh_token'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      dpop_signing_alg_values_supported: DPOP_ALGORITHMS,
    })
  })

  it('every endpoint the metadata names works (over real HTTP, followed as a client would)', async () => {
    const { agent, close } = await httpAgent()
    try {
      const metadata = (await agent.request('GET', '/.well-known/oauth-authorization-server')).body
      expect(new URL(metadata.token_endpoint).origin).toBe(agent.origin)

      const grant = await agent.request('POST', metadata.token_endpoint, {
        form: { grant_type: 'refresh_token', refresh_token: (await signIn(agent, 'bob', 'builder-bob')).refresh_token },
      })
      expect(grant.status).toBe(200)
      const jwks = await agent.request('GET', metadata.jwks_uri)
      expect(jwks.status).toBe(200)
      const { payload } = await jwtVerify(grant.body.access_token, createLocalJWKSet(jwks.body as JSONWebKeySet), {
        issuer: metadata.issuer,
        audience: 'authlens-api',
      })
      expect(payload.sub).toBe('u_bob')

      const revoked = await agent.request('POST', metadata.revocation_endpoint, { form: { token: grant.body.refresh_token } })
      expect(revoked.status).toBe(200)
      const after = await agent.request('POST', metadata.token_endpoint, {
        form: { grant_type: 'refresh_token', refresh_token: grant.body.refresh_token },
      })
      expect(after.status).toBe(400)
      expect(after.body.error).toBe('invalid_grant')
    } finally {
      await close()
    }
  })

  it('with a basePath, metadata and the endpoints it names live under it', async () => {
    const agent = inProcessAgent({ basePath: '/mock' })
    expect((await agent.request('GET', '/.well-known/oauth-authorization-server')).status).toBe(404)
    const metadata = (await agent.request('GET', '/mock/.well-known/oauth-authorization-server')).body
    expect(metadata.token_endpoint).toBe('http://localhost/mock/oauth/token')
    expect(metadata.revocation_endpoint).toBe('http://localhost/mock/oauth/revoke')
    expect(metadata.jwks_uri).toBe('http://localhost/mock/.well-known/jwks.json')
    const login = await agent.request('POST', '/mock/api/auth/login', { json: { username: 'alice', password: 'wonderland' } })
    const grant = await token(agent, { grant_type: 'refresh_token', refresh_token: login.body.refreshToken }, metadata.token_endpoint)
    expect(grant.status).toBe(200)
    expect((await revoke(agent, { token: grant.body.refresh_token }, metadata.revocation_endpoint)).status).toBe(200)
    expect((await agent.request('GET', metadata.jwks_uri)).body.keys).toHaveLength(1)
  })

  it('JWKS publishes the ES256 public key (no private part) that verifies issued tokens', async () => {
    const agent = inProcessAgent()
    const response = await agent.request('GET', '/.well-known/jwks.json')
    expect(response.status).toBe(200)
    const keys = response.body.keys as Array<Record<string, unknown>>
    expect(keys).toHaveLength(1)
    const [key] = keys
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    expect(key!.x).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(key!.y).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(key!.d).toBeUndefined()

    const grant = await signIn(agent)
    expect(decodeProtectedHeader(grant.access_token).kid).toBe(key!.kid)
    const { payload } = await jwtVerify(grant.access_token, createLocalJWKSet(response.body as JSONWebKeySet), {
      issuer: 'https://auth.authlens.test',
      audience: 'authlens-api',
      algorithms: ['ES256'],
    })
    expect(payload.sub).toBe('u_alice')
  })

  it('JWKS is empty for HS256: the HMAC secret is never published, yet tokens still work here', async () => {
    const agent = inProcessAgent({ algorithm: 'HS256' })
    const response = await agent.request('GET', '/.well-known/jwks.json')
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ keys: [] })
    const grant = await signIn(agent)
    expect(decodeProtectedHeader(grant.access_token).alg).toBe('HS256')
    expect((await agent.request('GET', '/api/me', { bearer: grant.access_token })).status).toBe(200)
  })
})
