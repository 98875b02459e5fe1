import { describe, expect, it } from 'vitest'
import { Agent, httpAgent, inProcess, inProcessAgent, type AgentResponse } from './agent.ts'

/** Loopback counts as a secure origin, so the refresh cookie carries the `__Secure-` prefix. */
const REFRESH_COOKIE = '__Secure-rt'
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0)
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** A clock the test moves by hand: the backend reads it through the `now` option. */
function fakeClock(start = T0) {
  let now = start
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000
    },
  }
}

function refresh(agent: Agent, refreshToken: string): Promise<AgentResponse> {
  return agent.request('POST', '/api/auth/refresh', { json: { refreshToken } })
}

/** A refresh riding on the refresh cookie, as the SDK sends it in `refreshTokenTransport: 'cookie'`. */
function cookieRefresh(agent: Agent, options: { csrf?: string | null; cookie?: string } = {}): Promise<AgentResponse> {
  const headers: Record<string, string> = {}
  const csrf = options.csrf === undefined ? agent.csrfToken : options.csrf
  if (csrf) headers['x-xsrf-token'] = csrf
  if (options.cookie !== undefined) headers.cookie = options.cookie
  return agent.request('POST', '/api/auth/refresh', { headers })
}

async function loginBody(agent: Agent, username = 'alice', password = 'wonderland') {
  const response = await agent.request('POST', '/api/auth/login', { json: { username, password } })
  expect(response.status).toBe(200)
  return response.body as { accessToken: string; refreshToken: string; expiresIn: number; refreshExpiresAt: string }
}

function cookieAttributes(line: string): { name: string; value: string; attributes: Map<string, string> } {
  const [pair = '', ...rest] = line.split(';')
  const index = pair.indexOf('=')
  const attributes = new Map<string, string>()
  for (const attribute of rest) {
    const [key = '', value = ''] = attribute.trim().split('=')
    attributes.set(key.toLowerCase(), value)
  }
  return { name: pair.slice(0, index).trim(), value: pair.slice(index + 1).trim(), attributes }
}

function refreshCookieLine(response: AgentResponse): string {
  const line = response.setCookies.find((candidate) => candidate.startsWith(`${REFRESH_COOKIE}=`))
  expect(line).toBeDefined()
  return line!
}

function expectNoStore(response: AgentResponse): void {
  expect(response.headers.get('cache-control')).toBe('no-store')
  expect(response.headers.get('pragma')).toBe('no-cache')
}

/** The whole response as text: status, every header and the body. */
function wholeResponse(response: AgentResponse): string {
  return [String(response.status), ...[...response.headers].map(([name, value]) => `${name}: ${value}`), JSON.stringify(response.body)].join('\n')
}

describe('refresh-token rotation and reuse detection', () => {
  it('M8 body transport: R1 → R2, R1 again is refresh_token_reused, then R2 fails too', async () => {
    const agent = inProcessAgent()
    const { refreshToken: r1 } = await loginBody(agent)

    const rotated = await refresh(agent, r1)
    expect(rotated.status).toBe(200)
    const r2 = rotated.body.refreshToken as string
    expect(r2).toMatch(TOKEN_SHAPE)
    expect(r2).not.toBe(r1)
    expect(typeof rotated.body.accessToken).toBe('string')

    const reused = await refresh(agent, r1)
    expect(reused.status).toBe(401)
    expect(reused.body.error).toBe('refresh_token_reused')

    const newest = await refresh(agent, r2)
    expect(newest.status).toBe(401)
    expect(newest.body.error).toBe('invalid_grant')

    const snapshot = agent.backend.snapshot()
    expect(snapshot.reuseDetections).toBe(1)
    expect(snapshot.liveRefreshFamilies).toBe(0)
  })

  it('M8 cookie transport: replaying the first refresh cookie revokes the family, the current cookie included', async () => {
    const agent = inProcessAgent()
    await agent.loginJwt('alice', 'wonderland', 'cookie')
    const r1 = agent.cookies.get(REFRESH_COOKIE)!
    const csrf = agent.csrfToken!
    expect(r1).toMatch(TOKEN_SHAPE)

    const rotated = await cookieRefresh(agent)
    expect(rotated.status).toBe(200)
    expect(rotated.body.refreshToken).toBeUndefined()
    const r2 = agent.cookies.get(REFRESH_COOKIE)!
    expect(r2).toMatch(TOKEN_SHAPE)
    expect(r2).not.toBe(r1)

    // An attacker who copied the first cookie (and has the CSRF token) replays it.
    const reused = await cookieRefresh(agent, { cookie: `${REFRESH_COOKIE}=${r1}; XSRF-TOKEN=${csrf}` })
    expect(reused.status).toBe(401)
    expect(reused.body.error).toBe('refresh_token_reused')
    expect(reused.setCookies.some((line) => line.startsWith(`${REFRESH_COOKIE}=;`) && /Max-Age=0/.test(line))).toBe(true)

    const newest = await cookieRefresh(agent, { cookie: `${REFRESH_COOKIE}=${r2}; XSRF-TOKEN=${csrf}` })
    expect(newest.status).toBe(401)
    expect(newest.body.error).toBe('invalid_grant')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
  })

  it('M8 over real HTTP: the same reuse detection behind the Node server', async () => {
    const { agent, close } = await httpAgent()
    try {
      const { refreshToken: r1 } = await loginBody(agent)
      const rotated = await refresh(agent, r1)
      expect(rotated.status).toBe(200)
      const reused = await refresh(agent, r1)
      expect(reused.status).toBe(401)
      expect(reused.body.error).toBe('refresh_token_reused')
      const newest = await refresh(agent, rotated.body.refreshToken)
      expect(newest.status).toBe(401)
      expect(newest.body.error).toBe('invalid_grant')
    } finally {
      await close()
    }
  })

  it('M8 reuse in one sign-in leaves the same user\'s other sign-ins working', async () => {
    const agent = inProcessAgent()
    const first = await loginBody(agent)
    const second = await loginBody(agent)
    expect((await refresh(agent, first.refreshToken)).status).toBe(200)
    expect((await refresh(agent, first.refreshToken)).body.error).toBe('refresh_token_reused')
    const other = await refresh(agent, second.refreshToken)
    expect(other.status).toBe(200)
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(1)
  })
})

describe('refresh refused', () => {
  it('M9 refresh after logout (body transport) is invalid_grant', async () => {
    const agent = inProcessAgent()
    const { refreshToken } = await loginBody(agent)
    const logout = await agent.request('POST', '/api/auth/logout', { json: { refreshToken } })
    expect(logout.status).toBe(200)
    expect(logout.body).toEqual({ signedOut: true, revoked: { families: 1, sessions: 0 } })

    const after = await refresh(agent, refreshToken)
    expect(after.status).toBe(401)
    expect(after.body.error).toBe('invalid_grant')
  })

  it('M9 refresh after a bearer-only logout is invalid_grant', async () => {
    const agent = inProcessAgent()
    const { accessToken, refreshToken } = await loginBody(agent)
    const logout = await agent.request('POST', '/api/auth/logout', { bearer: accessToken })
    expect(logout.status).toBe(200)
    expect(logout.body.signedOut).toBe(true)
    const after = await refresh(agent, refreshToken)
    expect(after.status).toBe(401)
    expect(after.body.error).toBe('invalid_grant')
  })

  it('M9 refresh after logout (cookie transport): the cookie is cleared and the old value is invalid_grant', async () => {
    const agent = inProcessAgent()
    await agent.loginJwt('alice', 'wonderland', 'cookie')
    const oldCookie = agent.cookies.get(REFRESH_COOKIE)!
    const csrf = agent.csrfToken!
    const logout = await agent.request('POST', '/api/auth/logout', { headers: { 'x-xsrf-token': csrf } })
    expect(logout.status).toBe(200)
    expect(logout.body.signedOut).toBe(true)
    expect(agent.cookies.has(REFRESH_COOKIE)).toBe(false)

    const after = await cookieRefresh(agent, { csrf, cookie: `${REFRESH_COOKIE}=${oldCookie}; XSRF-TOKEN=${csrf}` })
    expect(after.status).toBe(401)
    expect(after.body.error).toBe('invalid_grant')
  })

  it('M9 a token that is not one of yours — forged, altered by one character, or from another server — is invalid_grant', async () => {
    const agent = inProcessAgent()
    const alice = await loginBody(agent)
    const elsewhere = inProcessAgent()
    const foreign = await loginBody(elsewhere, 'bob', 'builder-bob')

    const altered = (alice.refreshToken.startsWith('A') ? 'B' : 'A') + alice.refreshToken.slice(1)
    const forged = 'A'.repeat(43)
    for (const token of [altered, forged, foreign.refreshToken]) {
      const response = await refresh(agent, token)
      expect(response.status).toBe(401)
      expect(response.body.error).toBe('invalid_grant')
    }
    // Guessing is not a denial of service: Alice's real token still rotates, nothing was revoked.
    expect(agent.backend.snapshot().reuseDetections).toBe(0)
    expect((await refresh(agent, alice.refreshToken)).status).toBe(200)
    // And the foreign token is still good on its own server.
    expect((await refresh(elsewhere, foreign.refreshToken)).status).toBe(200)
  })

  it("M9 another user's refresh cookie with your own CSRF token is refused (family-bound CSRF), and their family is untouched", async () => {
    const victim = inProcessAgent()
    await victim.loginJwt('alice', 'wonderland', 'cookie')
    // Another browser (own cookie jar) on the same backend.
    const attacker = new Agent(victim.backend, inProcess(victim.backend))
    await attacker.loginJwt('bob', 'builder-bob', 'cookie')

    const stolen = victim.cookies.get(REFRESH_COOKIE)!
    const bobCsrf = attacker.csrfToken!
    const response = await cookieRefresh(attacker, { csrf: bobCsrf, cookie: `${REFRESH_COOKIE}=${stolen}; XSRF-TOKEN=${bobCsrf}` })
    expect(response.status).toBe(403)
    expect(response.body.error).toBe('csrf_failed')

    const own = await cookieRefresh(victim)
    expect(own.status).toBe(200)
    expect(victim.backend.snapshot().liveRefreshFamilies).toBe(2)
  })

  it('M9 an expired refresh token (absolute lifetime over, fake clock) is invalid_grant; one second earlier it works', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, refreshTokenTtlSeconds: 3600, refreshIdleTtlSeconds: 3600 })
    const early = await loginBody(agent)
    const late = await loginBody(agent)
    clock.advance(3599)
    expect((await refresh(agent, early.refreshToken)).status).toBe(200)
    clock.advance(1)
    const expired = await refresh(agent, late.refreshToken)
    expect(expired.status).toBe(401)
    expect(expired.body.error).toBe('invalid_grant')
    expect(expired.body.error_description).toMatch(/expired/)
  })

  it('M9 refresh with no token at all is invalid_request, not a crash', async () => {
    const agent = inProcessAgent()
    const response = await agent.request('POST', '/api/auth/refresh', { json: {} })
    expect(response.status).toBe(400)
    expect(response.body.error).toBe('invalid_request')
  })
})

describe('refresh-token entropy and storage', () => {
  it('M21 refresh tokens are 256-bit base64url values, distinct across 1000 issues (logins and rotations)', async () => {
    const agent = inProcessAgent()
    const tokens = new Set<string>()
    let current = ''
    for (let i = 0; i < 1000; i++) {
      const token: string = i % 100 === 0 ? (await loginBody(agent)).refreshToken : (await refresh(agent, current)).body.refreshToken
      expect(token).toMatch(TOKEN_SHAPE)
      // 43 base64url characters with no padding = 32 bytes = 256 bits.
      expect(Buffer.from(token, 'base64url')).toHaveLength(32)
      tokens.add(token)
      current = token
    }
    expect(tokens.size).toBe(1000)
  })

  it('M21 the refresh token never shows up in the backend state a client or the demo can read', async () => {
    const agent = inProcessAgent({ refreshReuseGraceSeconds: 10 })
    const { refreshToken: r1 } = await loginBody(agent)
    const { body } = await refresh(agent, r1)
    const stats = await agent.request('GET', '/__mock/stats')
    expect(stats.status).toBe(200)
    expect(stats.body.liveRefreshFamilies).toBe(1)
    const dump = JSON.stringify([stats.body, agent.backend.snapshot(), agent.backend.options])
    expect(dump).not.toContain(r1)
    expect(dump).not.toContain(body.refreshToken)
  })

  it('M21 session ids and the refresh-family CSRF token are 256-bit CSPRNG values too', async () => {
    const ids = new Set<string>()
    for (let i = 0; i < 100; i++) {
      const agent = inProcessAgent()
      await agent.loginSession()
      const id = agent.cookies.get('__Host-sid')!
      expect(id).toMatch(TOKEN_SHAPE)
      ids.add(id)
    }
    expect(ids.size).toBe(100)
    const agent = inProcessAgent()
    const { csrfToken } = await agent.loginJwt('alice', 'wonderland', 'cookie')
    expect(csrfToken).toMatch(TOKEN_SHAPE)
  })
})

describe('no-store on the auth endpoints', () => {
  it('M26 /api/auth/* success responses carry Cache-Control: no-store and Pragma: no-cache', async () => {
    const agent = inProcessAgent()
    const login = await agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland' } })
    expect(login.status).toBe(200)
    expectNoStore(login)
    const rotated = await refresh(agent, login.body.refreshToken)
    expect(rotated.status).toBe(200)
    expectNoStore(rotated)
    const logout = await agent.request('POST', '/api/auth/logout', { json: { refreshToken: rotated.body.refreshToken } })
    expect(logout.status).toBe(200)
    expectNoStore(logout)

    const cookieLogin = await agent.request('POST', '/api/auth/login', { json: { username: 'bob', password: 'builder-bob', refreshTokenTransport: 'cookie' } })
    expect(cookieLogin.status).toBe(200)
    expectNoStore(cookieLogin)
    const cookieRotated = await cookieRefresh(agent)
    expect(cookieRotated.status).toBe(200)
    expectNoStore(cookieRotated)
  })

  it('M26 /api/auth/* error responses carry no-store too and never echo the token or password sent', async () => {
    const agent = inProcessAgent()
    const { refreshToken: r1 } = await loginBody(agent)
    const { body } = await refresh(agent, r1)
    const unknown = 'Zz'.repeat(21) + 'Q'
    const tooLong = `${r1}${'x'.repeat(600)}`
    const cases: Array<{ response: AgentResponse; status: number; error: string; secret: string }> = [
      { response: await refresh(agent, unknown), status: 401, error: 'invalid_grant', secret: unknown },
      { response: await refresh(agent, r1), status: 401, error: 'refresh_token_reused', secret: r1 },
      { response: await refresh(agent, body.refreshToken), status: 401, error: 'invalid_grant', secret: body.refreshToken },
      { response: await refresh(agent, tooLong), status: 400, error: 'invalid_request', secret: tooLong.slice(0, 43) },
      {
        response: await agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'not-the-Password-9' } }),
        status: 401,
        error: 'invalid_credentials',
        secret: 'not-the-Password-9',
      },
      {
        response: await agent.request('POST', '/api/auth/refresh', { body: `refreshToken=${r1}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        status: 415,
        error: 'unsupported_media_type',
        secret: r1,
      },
      {
        response: await agent.request('POST', '/api/auth/logout', { body: `{"refreshToken":"${r1}"`, headers: { 'content-type': 'application/json' } }),
        status: 400,
        error: 'invalid_request',
        secret: r1,
      },
      { response: await agent.request('GET', `/api/auth/refresh?refresh_token=${r1}`), status: 405, error: 'method_not_allowed', secret: r1 },
    ]
    for (const { response, status, error, secret } of cases) {
      expect({ status: response.status, error: response.body.error }).toEqual({ status, error })
      expectNoStore(response)
      expect(wholeResponse(response)).not.toContain(secret)
    }
  })

  it('M26 over real HTTP the headers survive the Node server (success and error)', async () => {
    const { agent, close } = await httpAgent()
    try {
      const { refreshToken } = await loginBody(agent)
      const ok = await refresh(agent, refreshToken)
      expect(ok.status).toBe(200)
      expectNoStore(ok)
      const failed = await refresh(agent, refreshToken)
      expect(failed.status).toBe(401)
      expect(failed.body.error).toBe('refresh_token_reused')
      expectNoStore(failed)
      expect(wholeResponse(failed)).not.toContain(refreshToken)
    } finally {
      await close()
    }
  })
})

describe('refresh-token lifetimes', () => {
  it("M28 R2's absolute expiry equals R1's: refreshExpiresAt is unchanged across rotations", async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now })
    const login = await loginBody(agent)
    const expected = new Date(T0 + 8 * 3600_000).toISOString()
    expect(login.refreshExpiresAt).toBe(expected)
    let current = login.refreshToken
    for (let i = 0; i < 4; i++) {
      clock.advance(1800)
      const rotated = await refresh(agent, current)
      expect(rotated.status).toBe(200)
      expect(rotated.body.refreshExpiresAt).toBe(expected)
      current = rotated.body.refreshToken
    }
  })

  it('M28 cookie transport: the refresh cookie Max-Age counts down to the fixed expiry instead of restarting', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, refreshTokenTtlSeconds: 7200 })
    const login = await agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland', refreshTokenTransport: 'cookie' } })
    expect(cookieAttributes(refreshCookieLine(login)).attributes.get('max-age')).toBe('7200')
    clock.advance(600)
    const rotated = await cookieRefresh(agent)
    expect(rotated.status).toBe(200)
    expect(cookieAttributes(refreshCookieLine(rotated)).attributes.get('max-age')).toBe('6600')
    expect(rotated.body.refreshExpiresAt).toBe(login.body.refreshExpiresAt)
  })

  it('M28 once the absolute lifetime passes, even a freshly rotated token is invalid_grant', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, refreshTokenTtlSeconds: 3600, refreshIdleTtlSeconds: 1800 })
    let current = (await loginBody(agent)).refreshToken
    for (let i = 0; i < 3; i++) {
      clock.advance(900)
      const rotated = await refresh(agent, current)
      expect(rotated.status).toBe(200)
      current = rotated.body.refreshToken
    }
    // T0 + 3600 s: the newest token is only 15 minutes old, but the sign-in is over.
    clock.advance(900)
    const expired = await refresh(agent, current)
    expect(expired.status).toBe(401)
    expect(expired.body.error).toBe('invalid_grant')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
  })

  it('M28 idle expiry: a refresh token unused for refreshIdleTtlSeconds is invalid_grant, while regular use keeps a family alive', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, refreshIdleTtlSeconds: 600 })
    const idle = await loginBody(agent)
    let active = (await loginBody(agent)).refreshToken
    for (let i = 0; i < 3; i++) {
      clock.advance(500)
      const rotated = await refresh(agent, active)
      expect(rotated.status).toBe(200)
      active = rotated.body.refreshToken
    }
    // 1500 s after login: the idle family expired at 600 s; the active one was used 0 s ago.
    const expired = await refresh(agent, idle.refreshToken)
    expect(expired.status).toBe(401)
    expect(expired.body.error).toBe('invalid_grant')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(1)
    clock.advance(600)
    const lapsed = await refresh(agent, active)
    expect(lapsed.status).toBe(401)
    expect(lapsed.body.error).toBe('invalid_grant')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
  })
})

describe('concurrent and lost rotations', () => {
  it('M29 strict (default): two simultaneous refreshes with R1 give exactly one 200, and never two live families', async () => {
    const agent = inProcessAgent()
    const { refreshToken: r1 } = await loginBody(agent)
    const responses = await Promise.all([refresh(agent, r1), refresh(agent, r1)])
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401])
    const winner = responses.find((response) => response.status === 200)!
    const loser = responses.find((response) => response.status !== 200)!
    expect(loser.body.error).toBe('refresh_token_reused')
    // Strict mode cannot tell a race from theft, so the family is gone, the winner's R2 included.
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
    const next = await refresh(agent, winner.body.refreshToken)
    expect(next.status).toBe(401)
    expect(next.body.error).toBe('invalid_grant')
  })

  it('M29 strict over real HTTP: five simultaneous refreshes, one 200, no live family left', async () => {
    const { agent, close } = await httpAgent()
    try {
      const { refreshToken: r1 } = await loginBody(agent)
      const responses = await Promise.all([1, 2, 3, 4, 5].map(() => refresh(agent, r1)))
      expect(responses.filter((response) => response.status === 200)).toHaveLength(1)
      const errors = responses.filter((response) => response.status !== 200).map((response) => [response.status, response.body.error])
      expect(errors).toHaveLength(4)
      for (const [status, error] of errors) {
        expect(status).toBe(401)
        expect(['refresh_token_reused', 'invalid_grant']).toContain(error)
      }
      expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
    } finally {
      await close()
    }
  })

  it('M29 grace window (refreshReuseGraceSeconds: 10): both simultaneous refreshes succeed with the same successor', async () => {
    const agent = inProcessAgent({ refreshReuseGraceSeconds: 10 })
    const { refreshToken: r1 } = await loginBody(agent)
    const responses = await Promise.all([refresh(agent, r1), refresh(agent, r1)])
    expect(responses.map((response) => response.status)).toEqual([200, 200])
    const [first, second] = responses.map((response) => response.body.refreshToken as string)
    expect(first).toMatch(TOKEN_SHAPE)
    expect(second).toBe(first)
    expect(first).not.toBe(r1)
    const snapshot = agent.backend.snapshot()
    expect(snapshot.liveRefreshFamilies).toBe(1)
    expect(snapshot.reuseDetections).toBe(0)
    // The shared successor is the family's current token.
    expect((await refresh(agent, first!)).status).toBe(200)
  })

  it('M29 grace window, cookie transport: both simultaneous cookie refreshes set the same successor cookie', async () => {
    const agent = inProcessAgent({ refreshReuseGraceSeconds: 10 })
    await agent.loginJwt('alice', 'wonderland', 'cookie')
    const responses = await Promise.all([cookieRefresh(agent), cookieRefresh(agent)])
    expect(responses.map((response) => response.status)).toEqual([200, 200])
    const values = responses.map((response) => cookieAttributes(refreshCookieLine(response)).value)
    expect(values[0]).toMatch(TOKEN_SHAPE)
    expect(values[1]).toBe(values[0])
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(1)
  })

  it('M29 response never received: a retry with R1 inside the grace window returns the same R2, which then rotates', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, refreshReuseGraceSeconds: 10 })
    const { refreshToken: r1 } = await loginBody(agent)
    const lost = await refresh(agent, r1)
    expect(lost.status).toBe(200)
    const r2 = lost.body.refreshToken as string // the response the client never saw

    clock.advance(9)
    const retry = await refresh(agent, r1)
    expect(retry.status).toBe(200)
    expect(retry.body.refreshToken).toBe(r2)
    expect(retry.body.accessToken).toEqual(expect.any(String))

    const next = await refresh(agent, r2)
    expect(next.status).toBe(200)
    expect(next.body.refreshToken).not.toBe(r2)
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(1)
  })

  it('M29 response never received: a retry with R1 after the grace window is reuse and revokes the family', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, refreshReuseGraceSeconds: 10 })
    const { refreshToken: r1 } = await loginBody(agent)
    const lost = await refresh(agent, r1)
    expect(lost.status).toBe(200)

    clock.advance(10)
    const retry = await refresh(agent, r1)
    expect(retry.status).toBe(401)
    expect(retry.body.error).toBe('refresh_token_reused')
    const successor = await refresh(agent, lost.body.refreshToken)
    expect(successor.status).toBe(401)
    expect(successor.body.error).toBe('invalid_grant')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
  })

  it('M29 response never received, strict (default): the retry with R1 is reuse straight away', async () => {
    const agent = inProcessAgent()
    const { refreshToken: r1 } = await loginBody(agent)
    expect((await refresh(agent, r1)).status).toBe(200)
    const retry = await refresh(agent, r1)
    expect(retry.status).toBe(401)
    expect(retry.body.error).toBe('refresh_token_reused')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(0)
  })
})

describe('signing out everywhere', () => {
  /** Alice signs in five times (JWT body ×2, JWT cookie, session ×2); Bob once per mode. */
  async function manySignIns() {
    const main = inProcessAgent()
    // Other browsers, each with its own cookie jar, on the same backend.
    const another = () => new Agent(main.backend, inProcess(main.backend))

    const aliceBody = [await loginBody(main), await loginBody(another())]
    const aliceCookie = another()
    await aliceCookie.loginJwt('alice', 'wonderland', 'cookie')
    const aliceSessions = [another(), another()]
    const sessionIds = new Map<Agent, string>()
    for (const agent of aliceSessions) {
      await agent.loginSession()
      sessionIds.set(agent, agent.cookies.get('__Host-sid')!)
    }
    const bobBody = await loginBody(another(), 'bob', 'builder-bob')
    const bobSession = another()
    await bobSession.loginSession('bob', 'builder-bob')

    const snapshot = main.backend.snapshot()
    expect(snapshot.liveRefreshFamilies).toBe(4)
    expect(snapshot.liveSessions).toBe(3)
    return { main, another, aliceBody, aliceCookie, aliceSessions, sessionIds, bobBody, bobSession }
  }

  async function expectAliceSignedOutEverywhere(setup: Awaited<ReturnType<typeof manySignIns>>) {
    const { main, aliceBody, aliceCookie, aliceSessions, sessionIds, bobBody, bobSession } = setup
    for (const { refreshToken } of aliceBody) {
      const response = await refresh(main, refreshToken)
      expect(response.status).toBe(401)
      expect(response.body.error).toBe('invalid_grant')
    }
    const cookie = await cookieRefresh(aliceCookie)
    expect(cookie.status).toBe(401)
    expect(cookie.body.error).toBe('invalid_grant')
    for (const agent of aliceSessions) {
      // The id the browser held, sent even if a logout response cleared the cookie: dead on the server.
      const session = await agent.request('GET', '/api/session', { headers: { cookie: `__Host-sid=${sessionIds.get(agent)}` } })
      expect(session.status).toBe(401)
      expect(session.body.error).toBe('invalid_session')
    }
    // Bob is someone else: untouched.
    expect((await refresh(main, bobBody.refreshToken)).status).toBe(200)
    expect((await bobSession.request('GET', '/api/session')).status).toBe(200)
    const snapshot = main.backend.snapshot()
    expect(snapshot.liveRefreshFamilies).toBe(1)
    expect(snapshot.liveSessions).toBe(1)
  }

  it('M30 logout revokes all of the user\'s refresh families and sessions, in both modes', async () => {
    const setup = await manySignIns()
    const [first] = setup.aliceBody
    const logout = await setup.main.request('POST', '/api/auth/logout', { json: { refreshToken: first!.refreshToken }, bearer: first!.accessToken })
    expect(logout.status).toBe(200)
    expect(logout.body).toEqual({ signedOut: true, revoked: { families: 3, sessions: 2 } })
    await expectAliceSignedOutEverywhere(setup)
  })

  it('M30 session-mode logout also revokes the user\'s JWT refresh families', async () => {
    const setup = await manySignIns()
    const [sessionAgent] = setup.aliceSessions
    const logout = await sessionAgent!.request('POST', '/api/session/logout', { headers: { 'x-xsrf-token': sessionAgent!.csrfToken! } })
    expect(logout.status).toBe(200)
    expect(logout.body).toEqual({ signedOut: true, revoked: { families: 3, sessions: 2 } })
    await expectAliceSignedOutEverywhere(setup)
  })

  it('M30 password change (bearer) revokes all refresh families and sessions, and the access token used', async () => {
    const setup = await manySignIns()
    const [first] = setup.aliceBody
    const change = await setup.main.request('POST', '/api/me/password', {
      bearer: first!.accessToken,
      json: { currentPassword: 'wonderland', newPassword: 'through-the-looking-glass' },
    })
    expect(change.status).toBe(200)
    expect(change.body).toEqual({ changed: true, revoked: { families: 3, sessions: 2 } })
    await expectAliceSignedOutEverywhere(setup)

    const me = await setup.main.request('GET', '/api/me', { bearer: first!.accessToken })
    expect(me.status).toBe(401)
    expect(me.body.error).toBe('invalid_token')
    const oldPassword = await setup.another().request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland' } })
    expect(oldPassword.status).toBe(401)
    expect(oldPassword.body.error).toBe('invalid_credentials')
    await loginBody(setup.another(), 'alice', 'through-the-looking-glass')
  })

  it('M30 password change (session + CSRF) revokes the JWT families and every session, the current one included', async () => {
    const setup = await manySignIns()
    const [sessionAgent] = setup.aliceSessions
    const change = await sessionAgent!.request('POST', '/api/me/password', {
      headers: { 'x-xsrf-token': sessionAgent!.csrfToken! },
      json: { currentPassword: 'wonderland', newPassword: 'through-the-looking-glass' },
    })
    expect(change.status).toBe(200)
    expect(change.body).toEqual({ changed: true, revoked: { families: 3, sessions: 2 } })
    await expectAliceSignedOutEverywhere(setup)
  })

  it('M30 a password change with the wrong current password revokes nothing', async () => {
    const setup = await manySignIns()
    const [first] = setup.aliceBody
    const change = await setup.main.request('POST', '/api/me/password', {
      bearer: first!.accessToken,
      json: { currentPassword: 'not-wonderland', newPassword: 'through-the-looking-glass' },
    })
    expect(change.status).toBe(401)
    expect(change.body.error).toBe('invalid_credentials')
    expect(setup.main.backend.snapshot().liveRefreshFamilies).toBe(4)
    expect(setup.main.backend.snapshot().liveSessions).toBe(3)
    expect((await refresh(setup.main, first!.refreshToken)).status).toBe(200)
  })
})

describe('cookie transport', () => {
  it('the refresh cookie is HttpOnly, Secure, SameSite=Strict, Path=/api/auth, lives as long as the family; the token stays out of the body', async () => {
    const agent = inProcessAgent({ now: fakeClock().now })
    const login = await agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland', refreshTokenTransport: 'cookie' } })
    expect(login.status).toBe(200)
    expect(login.body.refreshToken).toBeUndefined()
    expect(login.body.csrfToken).toMatch(TOKEN_SHAPE)

    const refreshCookie = cookieAttributes(refreshCookieLine(login))
    expect(refreshCookie.value).toMatch(TOKEN_SHAPE)
    expect(refreshCookie.attributes.has('httponly')).toBe(true)
    expect(refreshCookie.attributes.has('secure')).toBe(true)
    expect(refreshCookie.attributes.get('samesite')).toBe('Strict')
    expect(refreshCookie.attributes.get('path')).toBe('/api/auth')
    expect(refreshCookie.attributes.get('max-age')).toBe(String(8 * 3600))
    expect(refreshCookie.attributes.has('domain')).toBe(false)
    expect(JSON.stringify(login.body)).not.toContain(refreshCookie.value)

    // The CSRF cookie is the script-readable half of the double submit.
    const csrfLine = login.setCookies.find((line) => line.startsWith('XSRF-TOKEN='))!
    const csrfCookie = cookieAttributes(csrfLine)
    expect(csrfCookie.value).toBe(login.body.csrfToken)
    expect(csrfCookie.attributes.has('httponly')).toBe(false)
  })

  it('the refresh cookie attributes are the same over real HTTP', async () => {
    const { agent, close } = await httpAgent()
    try {
      const login = await agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland', refreshTokenTransport: 'cookie' } })
      expect(login.status).toBe(200)
      const { attributes } = cookieAttributes(refreshCookieLine(login))
      expect(attributes.has('httponly')).toBe(true)
      expect(attributes.get('samesite')).toBe('Strict')
      expect(attributes.get('path')).toBe('/api/auth')
      const rotated = await cookieRefresh(agent)
      expect(rotated.status).toBe(200)
    } finally {
      await close()
    }
  })

  it('M15 a cookie refresh without X-XSRF-TOKEN (or with a wrong one, cross-site, or without Origin) is 403 csrf_failed and rotates nothing', async () => {
    const agent = inProcessAgent()
    await agent.loginJwt('alice', 'wonderland', 'cookie')
    const before = agent.cookies.get(REFRESH_COOKIE)

    const missing = await cookieRefresh(agent, { csrf: null })
    expect(missing.status).toBe(403)
    expect(missing.body.error).toBe('csrf_failed')
    expectNoStore(missing)

    const wrong = await cookieRefresh(agent, { csrf: 'A'.repeat(43) })
    expect(wrong.status).toBe(403)
    expect(wrong.body.error).toBe('csrf_failed')

    const crossSite = await agent.request('POST', '/api/auth/refresh', { headers: { 'x-xsrf-token': agent.csrfToken! }, from: 'https://attacker.example' })
    expect(crossSite.status).toBe(403)
    expect(crossSite.body.error).toBe('csrf_failed')

    const noOrigin = await agent.request('POST', '/api/auth/refresh', { headers: { 'x-xsrf-token': agent.csrfToken! }, noOrigin: true })
    expect(noOrigin.status).toBe(403)
    expect(noOrigin.body.error).toBe('csrf_failed')

    expect(agent.cookies.get(REFRESH_COOKIE)).toBe(before)
    expect(agent.backend.snapshot().csrfRejections).toBe(4)
    expect(agent.backend.snapshot().refreshes).toBe(0)
    // Nothing was consumed: the legitimate refresh still works.
    const ok = await cookieRefresh(agent)
    expect(ok.status).toBe(200)
    expect(agent.cookies.get(REFRESH_COOKIE)).not.toBe(before)
  })

  it('M15 a cookie-transport logout without X-XSRF-TOKEN is 403 csrf_failed and signs nobody out', async () => {
    const agent = inProcessAgent()
    await agent.loginJwt('alice', 'wonderland', 'cookie')
    const logout = await agent.request('POST', '/api/auth/logout')
    expect(logout.status).toBe(403)
    expect(logout.body.error).toBe('csrf_failed')
    expect(agent.backend.snapshot().liveRefreshFamilies).toBe(1)
    expect((await cookieRefresh(agent)).status).toBe(200)
  })
})
