import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../src/domain/errors.ts'
import { createMockBackend } from '../src/backend.ts'
import { APP, authorizePath, codeRequest, ISSUER, OTHER, pkce, providerAgent, redeem, redirectParams, signInForCode, silentCode, SPA, submitLogin } from './oidc.ts'

describe('OpenID Provider: discovery', () => {
  it('O9 discovery names the issuer, its endpoints under it, code + PKCE S256 only, and RFC 9207 iss; RFC 8414 metadata says the same', async () => {
    const agent = providerAgent()
    const discovery = await agent.request('GET', '/.well-known/openid-configuration')
    expect(discovery.status).toBe(200)
    expect(discovery.body).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      userinfo_endpoint: `${ISSUER}/oauth/userinfo`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      revocation_endpoint: `${ISSUER}/oauth/revoke`,
      end_session_endpoint: `${ISSUER}/oauth/end-session`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
      subject_types_supported: ['public'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      authorization_response_iss_parameter_supported: true,
    })
    expect(discovery.body.claims_supported).toEqual(expect.arrayContaining(['sub', 'auth_time', 'nonce', 'sid', 'name', 'email']))
    const metadata = await agent.request('GET', '/.well-known/oauth-authorization-server')
    expect(metadata.body).toEqual(discovery.body)
  })

  it('discovery, JWKS and the token endpoint answer a registered client\'s page cross-origin, without credentials; other sites get no CORS', async () => {
    const agent = providerAgent()
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const allowed = await agent.request('GET', path, { headers: { origin: APP } })
      expect(allowed.headers.get('access-control-allow-origin')).toBe(APP)
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull()
      const foreign = await agent.request('GET', path, { headers: { origin: 'https://attacker.example' } })
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
    }
    const preflight = await agent.request('OPTIONS', '/oauth/userinfo', {
      headers: { origin: APP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP)
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/)
    const { code, verifier } = await signInForCode(agent)
    const tokens = await agent.request('POST', '/oauth/token', {
      form: { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: SPA.clientId, redirect_uri: SPA.redirectUris[0]! },
      headers: { origin: APP, 'sec-fetch-site': 'same-site' },
      noCookies: true,
    })
    expect(tokens.status).toBe(200)
    expect(tokens.headers.get('access-control-allow-origin')).toBe(APP)
  })

  it('a provider whose issuer is not where discovery is served refuses to start', () => {
    const clients = [SPA]
    for (const issuer of ['http://auth.example', 'https://auth.example/', 'https://auth.example?x=1', 'not a url', 'https://auth.example/elsewhere']) {
      expect(() => createMockBackend({ issuer, oidcClients: clients }), issuer).toThrow(ConfigurationError)
    }
    expect(() => createMockBackend({ issuer: 'https://auth.example/mock', basePath: '/mock', oidcClients: clients })).not.toThrow()
    expect(() => createMockBackend({ issuer: 'http://127.0.0.1:5173', oidcClients: clients })).not.toThrow()
  })

  it('bad client registrations refuse to start with a ConfigurationError', () => {
    const bad = [
      [{ ...SPA, redirectUris: [] }],
      [{ ...SPA, redirectUris: ['http://app.example/callback'] }],
      [{ ...SPA, redirectUris: [`${APP}/callback#x`] }],
      [{ ...SPA, redirectUris: ['/callback'] }],
      [{ ...SPA, postLogoutRedirectUris: ['javascript:alert(1)'] }],
      [{ ...SPA, clientSecret: 'short' }],
      [{ ...SPA, clientId: '' }],
      [SPA, SPA],
    ]
    for (const oidcClients of bad) expect(() => createMockBackend({ issuer: ISSUER, oidcClients }), JSON.stringify(oidcClients)).toThrow(ConfigurationError)
  })
})

describe('OpenID Provider: authorization code flow', () => {
  it('signs in through the login page and exchanges the code for access, refresh and ID tokens that verify', async () => {
    const agent = providerAgent()
    const { verifier, challenge } = await pkce()
    const page = await agent.request('GET', authorizePath(codeRequest(challenge)))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = String(page.body)
    expect(html).toContain('<label for="username">Username</label>')
    expect(html).toContain('<label for="password">Password</label>')
    expect(html).toContain('<button type="submit">Sign in</button>')
    expect(html).toContain('AuthLens &#60;Demo&#62;')
    expect(html).not.toMatch(/<script|https?:\/\/(?!app\.localhost)/)
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain(`form-action 'self' ${APP}`)
    // `no-referrer` would make Chromium post the form with `Origin: null`: refused as login CSRF.
    expect(page.headers.get('referrer-policy')).toBe('same-origin')

    const answer = await submitLogin(agent, page)
    expect(answer.status).toBe(303)
    const location = new URL(answer.headers.get('location')!)
    expect(`${location.origin}${location.pathname}`).toBe(SPA.redirectUris[0])
    expect(location.searchParams.get('state')).toBe('state-123')
    expect(location.searchParams.get('iss')).toBe(ISSUER)
    const session = answer.setCookies.find((line) => line.startsWith('__Host-op='))
    expect(session).toMatch(/HttpOnly/)
    expect(session).toMatch(/SameSite=Lax/)
    expect(session).toMatch(/Path=\//)

    const tokens = await redeem(agent, location.searchParams.get('code')!, verifier)
    expect(tokens.status).toBe(200)
    expect(tokens.headers.get('cache-control')).toBe('no-store')
    expect(Object.keys(tokens.body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type'])
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'openid profile email offline_access' })

    const jwks = createLocalJWKSet((await agent.request('GET', '/.well-known/jwks.json')).body as JSONWebKeySet)
    const { payload: id, protectedHeader } = await jwtVerify(tokens.body.id_token, jwks, { issuer: ISSUER, audience: SPA.clientId, algorithms: ['ES256'] })
    expect(protectedHeader.kid).toBeTruthy()
    expect(id).toMatchObject({ sub: 'u_alice', azp: SPA.clientId, nonce: 'nonce-456', name: 'Alice Liddell', email: 'alice@authlens.test', email_verified: true })
    expect(typeof id.auth_time).toBe('number')
    expect(typeof id.sid).toBe('string')
    expect(String(answer.setCookies.join())).not.toContain(String(id.sid))

    // The access token is the backend's own: /api accepts it unchanged.
    expect(decodeProtectedHeader(tokens.body.access_token).typ).toBe('at+jwt')
    expect((await agent.request('GET', '/api/me', { bearer: tokens.body.access_token, noCookies: true })).status).toBe(200)
    // An ID token is never an access token.
    expect((await agent.request('GET', '/api/me', { bearer: tokens.body.id_token, noCookies: true })).status).toBe(401)
    expect(agent.backend.snapshot()).toMatchObject({ authorizations: 1, codeRedemptions: 1, logins: 1 })
  })

  it('with a provider session, /authorize answers at once with a code (SSO), for another client too', async () => {
    const agent = providerAgent()
    await signInForCode(agent)
    const again = await silentCode(agent)
    expect(again.params.get('iss')).toBe(ISSUER)
    expect((await redeem(agent, again.code, again.verifier)).status).toBe(200)
    const { challenge, verifier } = await pkce()
    const other = await agent.request('GET', authorizePath(codeRequest(challenge, { client_id: OTHER.clientId, redirect_uri: OTHER.redirectUris[0] })))
    expect(other.status).toBe(302)
    const code = redirectParams(other).get('code')!
    const tokens = await redeem(agent, code, verifier, { client_id: OTHER.clientId, redirect_uri: OTHER.redirectUris[0] })
    expect(tokens.status).toBe(200)
    expect(decodeJwt(tokens.body.id_token).aud).toBe(OTHER.clientId)
  })

  it('no refresh token without offline_access; scopes decide the claims', async () => {
    const agent = providerAgent()
    const { code, verifier } = await signInForCode(agent, { scope: 'openid unknown-scope' })
    const tokens = await redeem(agent, code, verifier)
    expect(tokens.status).toBe(200)
    expect(tokens.body.refresh_token).toBeUndefined()
    expect(tokens.body.scope).toBe('openid')
    const id = decodeJwt(tokens.body.id_token)
    expect(id.name).toBeUndefined()
    expect(id.email).toBeUndefined()
  })

  it('the refresh token rotates, keeps the scope, and is refused to another client', async () => {
    const agent = providerAgent()
    const { code, verifier } = await signInForCode(agent)
    const tokens = (await redeem(agent, code, verifier)).body
    const form = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }
    const foreign = await agent.request('POST', '/oauth/token', { form: { ...form, client_id: OTHER.clientId }, noCookies: true })
    expect(foreign.status).toBe(400)
    expect(foreign.body.error).toBe('invalid_grant')
    const rotated = await agent.request('POST', '/oauth/token', { form: { ...form, client_id: SPA.clientId }, noCookies: true })
    expect(rotated.status).toBe(200)
    expect(rotated.body.scope).toBe('openid profile email offline_access')
    expect(rotated.body.refresh_token).not.toBe(tokens.refresh_token)
    expect(decodeJwt(rotated.body.access_token)).toMatchObject({ client_id: SPA.clientId, scope: 'openid profile email offline_access' })
  })
})

describe('OpenID Provider: security cases', () => {
  it('a refresh token issued to a client refreshes only at the token endpoint, where the client is checked, never at the first-party JSON refresh', async () => {
    const agent = providerAgent()
    const { code, verifier } = await signInForCode(agent)
    const tokens = await redeem(agent, code, verifier)
    const refreshToken = tokens.body.refresh_token as string
    const json = await agent.request('POST', '/api/auth/refresh', { json: { refreshToken }, noCookies: true })
    expect(json.status).toBe(401)
    expect(json.body).toMatchObject({ error: 'invalid_grant' })
    // Refused before rotation: the client's token still works where it belongs.
    const oauth = await agent.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: SPA.clientId }, noCookies: true })
    expect(oauth.status).toBe(200)
  })

  it('O1 without code_challenge, or with code_challenge_method plain (or none), the client gets invalid_request and no code', async () => {
    const agent = providerAgent()
    const { challenge } = await pkce()
    for (const overrides of [{ code_challenge: undefined }, { code_challenge_method: 'plain' }, { code_challenge_method: undefined }, { code_challenge: 'short' }]) {
      const answer = await agent.request('GET', authorizePath(codeRequest(challenge, overrides)))
      expect(answer.status, JSON.stringify(overrides)).toBe(302)
      const params = redirectParams(answer)
      expect(params.get('error')).toBe('invalid_request')
      expect(params.get('code')).toBeNull()
      expect(params.get('state')).toBe('state-123')
      expect(params.get('iss')).toBe(ISSUER)
    }
    expect(agent.backend.snapshot().authorizations).toBe(0)
  })

  it('O2 a redirect_uri differing in any way from the registered one gets a page at the provider, never a redirect', async () => {
    const agent = providerAgent()
    const { challenge } = await pkce()
    const registered = SPA.redirectUris[0]!
    const variants = [
      `${APP}/callback/`,
      `${APP}/Callback`,
      'http://app.localhost:5174/callback',
      `${APP}/callback?x=1`,
      `${APP}/callback#frag`,
      'https://app.localhost:5173/callback',
      'http://APP.localhost:5173/callback',
      'https://attacker.example/callback',
      OTHER.redirectUris[0]!,
      '',
    ]
    for (const redirectUri of [...variants, undefined]) {
      const answer = await agent.request('GET', authorizePath(codeRequest(challenge, { redirect_uri: redirectUri })))
      expect(answer.status, redirectUri).toBe(400)
      expect(answer.headers.get('location'), redirectUri).toBeNull()
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/)
      expect(String(answer.body)).toMatch(/redirect_uri/)
    }
    const unknownClient = await agent.request('GET', authorizePath(codeRequest(challenge, { client_id: 'nobody' })))
    expect(unknownClient.status).toBe(400)
    expect(unknownClient.headers.get('location')).toBeNull()
    const twice = await agent.request('GET', `${authorizePath(codeRequest(challenge))}&redirect_uri=${encodeURIComponent('https://attacker.example/')}`)
    expect(twice.status).toBe(400)
    expect(twice.headers.get('location')).toBeNull()
    expect((await agent.request('GET', authorizePath(codeRequest(challenge, { redirect_uri: registered })))).status).toBe(200)
  })

  it('O3 a wrong or missing code_verifier, or the code presented by another client, is invalid_grant, and the code is spent', async () => {
    const agent = providerAgent()
    const cases = [
      { verifier: (await pkce()).verifier, overrides: {} },
      { verifier: undefined, overrides: {} },
      { verifier: 'x', overrides: {} },
      { verifier: 'right', overrides: { client_id: OTHER.clientId } },
      { verifier: 'right', overrides: { redirect_uri: OTHER.redirectUris[0] } },
    ]
    for (const { verifier, overrides } of cases) {
      const signedIn = await silentOrFirst(agent)
      const failed = await redeem(agent, signedIn.code, verifier === 'right' ? signedIn.verifier : verifier, overrides)
      expect(failed.status, JSON.stringify(overrides)).toBe(400)
      expect(failed.body.error).toBe('invalid_grant')
      expect(failed.headers.get('cache-control')).toBe('no-store')
      // Spent: the right verifier from the right client no longer works either.
      const retry = await redeem(agent, signedIn.code, signedIn.verifier)
      expect(retry.status).toBe(400)
      expect(retry.body.error).toBe('invalid_grant')
    }
  })

  it('O4 a code redeemed twice: the second is invalid_grant and the tokens issued from the first are revoked', async () => {
    const agent = providerAgent()
    const { code, verifier } = await signInForCode(agent)
    const first = await redeem(agent, code, verifier)
    expect(first.status).toBe(200)
    const second = await redeem(agent, code, verifier)
    expect(second.status).toBe(400)
    expect(second.body.error).toBe('invalid_grant')
    const refresh = await agent.request('POST', '/oauth/token', {
      form: { grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: SPA.clientId },
      noCookies: true,
    })
    expect(refresh.status).toBe(400)
    expect(refresh.body.error).toBe('invalid_grant')
    const me = await agent.request('GET', '/api/me', { bearer: first.body.access_token, noCookies: true })
    expect(me.status).toBe(401)
    expect(me.body.reason).toBe('revoked')
  })

  it('O4 two redemptions of one code at once: at least one is refused, and no tokens from the code stay usable', async () => {
    const agent = providerAgent()
    const { code, verifier } = await signInForCode(agent)
    const answers = await Promise.all([redeem(agent, code, verifier), redeem(agent, code, verifier)])
    expect(answers.filter((answer) => answer.status === 400).length).toBeGreaterThanOrEqual(1)
    for (const answer of answers.filter((each) => each.status === 200)) {
      expect((await agent.request('GET', '/api/me', { bearer: answer.body.access_token, noCookies: true })).status).toBe(401)
    }
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
  })

  it('O5 a code older than 60 s is invalid_grant', async () => {
    let now = Date.UTC(2030, 0, 1)
    const agent = providerAgent({ now: () => now })
    const { code, verifier } = await signInForCode(agent)
    now += 60_000
    const late = await redeem(agent, code, verifier)
    expect(late.status).toBe(400)
    expect(late.body.error).toBe('invalid_grant')
    const { code: fresh, verifier: freshVerifier } = await silentCode(agent)
    now += 59_000
    expect((await redeem(agent, fresh, freshVerifier)).status).toBe(200)
  })

  it('O6 response_type token, id_token token and others are unsupported_response_type; no tokens in the URL', async () => {
    const agent = providerAgent()
    const { challenge } = await pkce()
    for (const responseType of ['token', 'id_token token', 'code id_token', 'id_token', 'code token']) {
      const answer = await agent.request('GET', authorizePath(codeRequest(challenge, { response_type: responseType })))
      expect(answer.status, responseType).toBe(302)
      const location = answer.headers.get('location')!
      const params = redirectParams(answer)
      expect(params.get('error')).toBe('unsupported_response_type')
      expect(params.get('iss')).toBe(ISSUER)
      expect(location).not.toMatch(/access_token|id_token=|#/)
    }
  })
})

/** A code for the demo client: through the login page the first time, silently after. */
async function silentOrFirst(agent: ReturnType<typeof providerAgent>) {
  return agent.backend.snapshot().logins === 0 ? signInForCode(agent) : silentCode(agent)
}
