import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { httpAgent, testOptions, type Agent } from './agent.ts'
import { authorizePath, codeRequest, ISSUER, OTHER, pkce, providerAgent, redeem, redirectParams, signInForCode, silentCode, SPA, submitLogin } from './oidc.ts'

const EVIL = 'https://attacker.example'

/** The provider over real HTTP on a loopback port, its issuer the server's own URL. */
async function httpProvider() {
  const running = await httpAgent({ ...testOptions, oidcClients: [SPA, OTHER], issuerFromServer: true })
  closers.push(running.close)
  return running.agent
}
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

async function tokensFor(agent: Agent, overrides: Record<string, string | undefined> = {}) {
  const { code, verifier } = await signInForCode(agent, overrides)
  const tokens = await redeem(agent, code, verifier)
  expect(tokens.status).toBe(200)
  return tokens.body as { access_token: string; refresh_token?: string; id_token: string }
}

function refresh(agent: Agent, refreshToken: string) {
  return agent.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: SPA.clientId }, noCookies: true })
}

describe('OpenID Provider: prompt and max_age', () => {
  it('O7 prompt=none without a provider session is login_required at the client, with no page shown', async () => {
    const agent = providerAgent()
    const { challenge } = await pkce()
    const answer = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt: 'none' })))
    expect(answer.status).toBe(302)
    expect(answer.headers.get('content-type')).toBeNull()
    const params = redirectParams(answer)
    expect(params.get('error')).toBe('login_required')
    expect(params.get('state')).toBe('state-123')
    expect(params.get('iss')).toBe(ISSUER)
    expect(params.get('code')).toBeNull()
  })

  it('O7 max_age exceeded: with prompt=none login_required; without it the login page, and a fresh auth_time', async () => {
    let now = Date.UTC(2030, 0, 1)
    const agent = providerAgent({ now: () => now })
    const first = decodeJwt((await tokensFor(agent)).id_token)
    now += 120_000
    const { challenge } = await pkce()
    const silent = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt: 'none', max_age: '60' })))
    expect(silent.status).toBe(302)
    expect(redirectParams(silent).get('error')).toBe('login_required')
    expect(redirectParams(silent).get('code')).toBeNull()
    // Recent enough: answered at once.
    expect((await silentCode(agent, { prompt: 'none', max_age: '300' })).params.get('code')).toBeTruthy()

    const second = decodeJwt((await tokensFor(agent, { max_age: '60' })).id_token)
    expect(second.auth_time).toBe(Number(first.auth_time) + 120)
  })

  it('prompt=login shows the login page even with a provider session; prompt=none with one answers a code', async () => {
    const agent = providerAgent()
    await signInForCode(agent)
    expect((await silentCode(agent, { prompt: 'none' })).params.get('code')).toBeTruthy()
    const { challenge } = await pkce()
    const page = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt: 'login', login_hint: 'bob' })))
    expect(page.status).toBe(200)
    expect(String(page.body)).toContain('value="bob"')
    for (const prompt of ['none login', 'unknown']) {
      const answer = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt })))
      expect(redirectParams(answer).get('error'), prompt).toBe('invalid_request')
    }
  })

  it('a new sign-in at the provider replaces the session id (fixation, M12)', async () => {
    const agent = providerAgent()
    await signInForCode(agent)
    const before = agent.cookies.get('__Host-op')
    const { challenge } = await pkce()
    const page = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt: 'login' })))
    expect((await submitLogin(agent, page, 'bob', 'builder-bob')).status).toBe(303)
    const after = agent.cookies.get('__Host-op')
    expect(after).toBeTruthy()
    expect(after).not.toBe(before)
    const stale = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt: 'none' })), { headers: { cookie: `__Host-op=${before}` }, noCookies: true })
    expect(redirectParams(stale).get('error')).toBe('login_required')
  })
})

describe('OpenID Provider: the login page over real HTTP', () => {
  it('O8 a cross-site POST to the login form is 403 and signs nobody in', async () => {
    const agent = await httpProvider()
    const { challenge } = await pkce()
    const page = await agent.request('GET', authorizePath(codeRequest(challenge)))
    expect(page.status).toBe(200)
    for (const from of [{ from: EVIL }, { headers: { origin: 'null' } }, { noOrigin: true }]) {
      const answer = await submitLogin(agent, page, 'alice', 'wonderland', from)
      expect(answer.status, JSON.stringify(from)).toBe(403)
      expect(answer.headers.get('location')).toBeNull()
      expect(answer.setCookies.some((line) => line.startsWith('__Host-op='))).toBe(false)
    }
    // Right origin, but no CSRF token (a form from another page of the site): refused too.
    const noToken = await agent.request('POST', '/oauth/login', { form: { request: new URLSearchParams(codeRequest(challenge) as Record<string, string>).toString(), username: 'alice', password: 'wonderland' } })
    expect(noToken.status).toBe(403)
    expect(agent.backend.snapshot()).toMatchObject({ logins: 0, failedLogins: 0, authorizations: 0 })
  })

  it('O8 a wrong password and an unknown user get the same generic error on the re-shown form', async () => {
    const agent = await httpProvider()
    const { challenge } = await pkce()
    const page = await agent.request('GET', authorizePath(codeRequest(challenge)))
    const wrong = await submitLogin(agent, page, 'alice', 'not-wonderland')
    const unknown = await submitLogin(agent, page, 'mallory', 'not-wonderland')
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(401)
      expect(answer.headers.get('location')).toBeNull()
      expect(String(answer.body)).toContain('<p role="alert">Invalid username or password.</p>')
      expect(String(answer.body)).toContain('<button type="submit">Sign in</button>')
      expect(String(answer.body)).not.toContain('not-wonderland')
    }
    const comparable = (body: unknown) => String(body).replace(/mallory/g, 'alice').replace(/nonce="[^"]*"/g, '')
    expect(comparable(unknown.body)).toBe(comparable(wrong.body))
  })

  it('O8 failed sign-ins are throttled with the JSON login\'s users and throttle: 429, for both', async () => {
    const agent = await httpProvider()
    const { challenge } = await pkce()
    const page = await agent.request('GET', authorizePath(codeRequest(challenge)))
    const statuses: number[] = []
    for (let attempt = 0; attempt < 10; attempt++) statuses.push((await submitLogin(agent, page, 'alice', `guess-${attempt}`)).status)
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429, 429, 429, 429])
    const throttled = await submitLogin(agent, page, 'alice', 'wonderland')
    expect(throttled.status).toBe(429)
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(String(throttled.body)).toContain('Too many failed sign-in attempts')
    const json = await agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland' } })
    expect(json.status).toBe(429)
  })

  it('the whole sign-in over HTTP: __Host- cookie, redirect with iss, tokens, userinfo', async () => {
    const agent = await httpProvider()
    const discovery = (await agent.request('GET', '/.well-known/openid-configuration')).body
    expect(discovery.issuer).toBe(agent.origin)
    const { code, verifier, params, answer } = await signInForCode(agent)
    expect(params.get('iss')).toBe(agent.origin)
    expect(answer.setCookies.find((line) => line.startsWith('__Host-op='))).toMatch(/HttpOnly.*|Secure/)
    const tokens = await redeem(agent, code, verifier)
    expect(tokens.status).toBe(200)
    const info = await agent.request('GET', '/oauth/userinfo', { bearer: tokens.body.access_token, noCookies: true })
    expect(info.body).toEqual({ sub: 'u_alice', name: 'Alice Liddell', preferred_username: 'alice', email: 'alice@authlens.test', email_verified: true })
  })
})

describe('OpenID Provider: userinfo', () => {
  it('answers the claims the access token\'s scope allows, on GET and POST; refuses other tokens', async () => {
    const agent = providerAgent()
    const narrow = await tokensFor(agent, { scope: 'openid email' })
    for (const method of ['GET', 'POST']) {
      const info = await agent.request(method, '/oauth/userinfo', { bearer: narrow.access_token, noCookies: true })
      expect(info.status, method).toBe(200)
      expect(info.body).toEqual({ sub: 'u_alice', email: 'alice@authlens.test', email_verified: true })
    }
    const missing = await agent.request('GET', '/oauth/userinfo', { noCookies: true })
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/)
    const { accessToken } = await agent.loginJwt()
    const notOidc = await agent.request('GET', '/oauth/userinfo', { bearer: accessToken, noCookies: true })
    expect(notOidc.status).toBe(403)
    expect(notOidc.body.error).toBe('insufficient_scope')
    const idToken = await agent.request('GET', '/oauth/userinfo', { bearer: narrow.id_token, noCookies: true })
    expect(idToken.status).toBe(401)
  })
})

describe('OpenID Provider: end_session', () => {
  it('O10 a post_logout_redirect_uri not registered for the client gets no redirect, only a signed-out page', async () => {
    const agent = providerAgent()
    const { id_token } = await tokensFor(agent)
    for (const target of [EVIL, `${SPA.postLogoutRedirectUris![0]}?x=1`, 'http://app.localhost:5173', OTHER.redirectUris[0]!]) {
      await signInForCode(agent, { prompt: 'login' })
      const answer = await agent.request('GET', `/oauth/end-session?${new URLSearchParams({ id_token_hint: id_token, post_logout_redirect_uri: target, state: 's' })}`)
      expect(answer.status, target).toBe(200)
      expect(answer.headers.get('location')).toBeNull()
      expect(String(answer.body)).toContain('You are signed out')
      expect(agent.cookies.has('__Host-op')).toBe(false)
    }
    // A registered URI with a client_id that contradicts the hint: no redirect either.
    const mismatch = await agent.request('GET', `/oauth/end-session?${new URLSearchParams({ id_token_hint: id_token, client_id: OTHER.clientId, post_logout_redirect_uri: SPA.postLogoutRedirectUris![0]! })}`)
    expect(mismatch.headers.get('location')).toBeNull()
    // Nor with a hint that is not ours.
    const forged = `${id_token.slice(0, -4)}AAAA`
    const withForged = await agent.request('GET', `/oauth/end-session?${new URLSearchParams({ id_token_hint: forged, post_logout_redirect_uri: SPA.postLogoutRedirectUris![0]! })}`)
    expect(withForged.headers.get('location')).toBeNull()
  })

  it('ends the provider session and revokes its refresh families; a registered URI gets the browser back with state', async () => {
    const agent = providerAgent()
    const first = await tokensFor(agent)
    const { code, verifier } = await silentCode(agent)
    const second = (await redeem(agent, code, verifier)).body
    const { refreshToken: jsonLogin } = await agent.loginJwt()

    const answer = await agent.request('POST', '/oauth/end-session', {
      form: { id_token_hint: first.id_token, post_logout_redirect_uri: SPA.postLogoutRedirectUris![0]!, state: 'bye' },
    })
    expect(answer.status).toBe(303)
    const location = new URL(answer.headers.get('location')!)
    expect(`${location.origin}${location.pathname}`).toBe(SPA.postLogoutRedirectUris![0])
    expect(location.searchParams.get('state')).toBe('bye')
    expect(answer.setCookies.find((line) => line.startsWith('__Host-op='))).toMatch(/Max-Age=0/)

    for (const token of [first.refresh_token!, second.refresh_token]) expect((await refresh(agent, token)).body.error).toBe('invalid_grant')
    // Other sign-ins of the user (the JSON login) are not this provider session's.
    expect((await agent.request('POST', '/api/auth/refresh', { json: { refreshToken: jsonLogin } })).status).toBe(200)
    const { challenge } = await pkce()
    const after = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt: 'none' })))
    expect(redirectParams(after).get('error')).toBe('login_required')
  })

  it('a code issued before the provider session ended cannot be redeemed after', async () => {
    const agent = providerAgent()
    const { code, verifier } = await signInForCode(agent)
    await agent.request('GET', '/oauth/end-session')
    const late = await redeem(agent, code, verifier)
    expect(late.status).toBe(400)
    expect(late.body.error).toBe('invalid_grant')
  })

  it('M30 a password change ends the user\'s provider sessions too', async () => {
    const agent = providerAgent()
    const { access_token } = await tokensFor(agent)
    const changed = await agent.request('POST', '/api/me/password', { bearer: access_token, json: { currentPassword: 'wonderland', newPassword: 'looking-glass' }, noCookies: true })
    expect(changed.status).toBe(200)
    const { challenge } = await pkce()
    const after = await agent.request('GET', authorizePath(codeRequest(challenge, { prompt: 'none' })))
    expect(redirectParams(after).get('error')).toBe('login_required')
  })
})
