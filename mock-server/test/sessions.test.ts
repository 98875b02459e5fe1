import { describe, expect, it, vi } from 'vitest'
import { base64url } from '../src/domain/random.ts'
import { Agent, httpAgent, inProcess, inProcessAgent, type AgentResponse } from './agent.ts'

/** A second browser on the same backend (another user, or an attacker). */
function sibling(agent: Agent): Agent {
  return new Agent(agent.backend, inProcess(agent.backend), agent.origin)
}

interface ParsedCookie {
  name: string
  value: string
  /** Attribute names lower-cased; valueless attributes map to ''. */
  attributes: Map<string, string>
}

function parseSetCookie(line: string): ParsedCookie {
  const [pair = '', ...rest] = line.split(';')
  const index = pair.indexOf('=')
  const attributes = new Map<string, string>()
  for (const attribute of rest) {
    const [name = '', ...value] = attribute.trim().split('=')
    attributes.set(name.toLowerCase(), value.join('='))
  }
  return { name: pair.slice(0, index).trim(), value: pair.slice(index + 1).trim(), attributes }
}

function setCookie(response: AgentResponse, name: string): ParsedCookie {
  const found = response.setCookies.map(parseSetCookie).filter((cookie) => cookie.name === name)
  expect(found, `exactly one Set-Cookie for ${name} in ${JSON.stringify(response.setCookies)}`).toHaveLength(1)
  return found[0]!
}

function isDeletion(cookie: ParsedCookie): boolean {
  return cookie.value === '' && cookie.attributes.get('max-age') === '0'
}

const SID = '__Host-sid'
const START = Date.parse('2030-01-01T00:00:00.000Z')

/** A clock the test moves by hand: the backend reads it through the `now` option. */
function fakeClock() {
  const clock = { ms: START, now: () => clock.ms, advance: (seconds: number) => void (clock.ms += seconds * 1000) }
  return clock
}

/** Id of a session the server never issued, shaped exactly like a real one (43 base64url chars). */
function forgedSessionId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)))
}

describe('session lifecycle', () => {
  it('M11 a session id is dead immediately after logout (401 on replay, cookies cleared)', async () => {
    const agent = inProcessAgent()
    await agent.loginSession()
    const oldId = agent.cookies.get(SID)!
    const oldCsrf = agent.csrfToken!
    expect((await agent.request('GET', '/api/me')).status).toBe(200)

    const logout = await agent.request('POST', '/api/session/logout', { headers: { 'x-xsrf-token': oldCsrf } })
    expect(logout.status).toBe(200)
    expect(logout.body).toEqual({ signedOut: true, revoked: { families: 0, sessions: 1 } })
    expect(isDeletion(setCookie(logout, SID))).toBe(true)
    expect(isDeletion(setCookie(logout, 'XSRF-TOKEN'))).toBe(true)
    expect(agent.cookies.size).toBe(0)
    expect(agent.backend.snapshot().liveSessions).toBe(0)

    // A copy of the id kept by an attacker (or a stale tab) is worthless now.
    const replayCookie = `${SID}=${oldId}; XSRF-TOKEN=${oldCsrf}`
    const me = await agent.request('GET', '/api/me', { headers: { cookie: replayCookie } })
    expect(me.status).toBe(401)
    expect(me.body.error).toBe('invalid_session')
    const session = await agent.request('GET', '/api/session', { headers: { cookie: replayCookie } })
    expect(session.status).toBe(401)
    expect(session.body.error).toBe('invalid_session')
    const write = await agent.request('POST', '/api/notes', {
      json: { text: 'after logout' },
      headers: { cookie: replayCookie, 'x-xsrf-token': oldCsrf },
    })
    expect(write.status).toBe(401)
    expect(write.body.error).toBe('invalid_session')
  })

  it('M11 logout revokes every session of the user, not only the current browser', async () => {
    const laptop = inProcessAgent()
    const phone = sibling(laptop)
    const bob = sibling(laptop)
    await laptop.loginSession()
    await phone.loginSession()
    await bob.loginSession('bob', 'builder-bob')
    const logout = await laptop.request('POST', '/api/session/logout', { headers: { 'x-xsrf-token': laptop.csrfToken! } })
    expect(logout.body.revoked.sessions).toBe(2)
    expect((await phone.request('GET', '/api/session')).status).toBe(401)
    expect((await bob.request('GET', '/api/session')).status).toBe(200)
  })

  it('M12 login while holding an old session id issues a new id and kills the old one', async () => {
    const agent = inProcessAgent()
    await agent.loginSession()
    const firstId = agent.cookies.get(SID)!
    const firstCsrf = agent.csrfToken!

    const second = await agent.loginSession()
    const secondId = setCookie(second, SID).value
    expect(secondId).not.toBe(firstId)
    expect(agent.cookies.get(SID)).toBe(secondId)
    expect(agent.csrfToken).not.toBe(firstCsrf)
    expect(agent.backend.snapshot().liveSessions).toBe(1)

    // Replayed from another browser, so the cookie-clearing answer does not touch this agent's jar.
    const old = await sibling(agent).request('GET', '/api/session', { headers: { cookie: `${SID}=${firstId}` } })
    expect(old.status).toBe(401)
    expect(old.body.error).toBe('invalid_session')
    const current = await agent.request('GET', '/api/session')
    expect(current.status).toBe(200)
    expect(current.body.user.username).toBe('alice')
  })

  it('M12 an id planted by an attacker (their own live session) is neither kept nor adopted at the victim login', async () => {
    const attacker = inProcessAgent()
    await attacker.loginSession('bob', 'builder-bob')
    const plantedId = attacker.cookies.get(SID)!

    const victim = sibling(attacker)
    victim.cookies.set(SID, plantedId)
    const login = await victim.loginSession('alice', 'wonderland')
    const victimId = setCookie(login, SID).value
    expect(victimId).not.toBe(plantedId)

    // The attacker's copy of the id does not lead into the victim's account.
    const attackerView = await attacker.request('GET', '/api/me')
    expect(attackerView.status).toBe(401)
    const victimView = await victim.request('GET', '/api/me')
    expect(victimView.status).toBe(200)
    expect(victimView.body.user.username).toBe('alice')
  })

  it('M13 an idle session expires after the idle timeout (401 session_expired); activity slides it', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, sessionIdleTimeoutSeconds: 60, sessionAbsoluteTimeoutSeconds: 3600 })
    const login = await agent.loginSession()
    expect(login.body.expiresAt).toBe(new Date(START + 60_000).toISOString())
    expect(login.body.absoluteExpiresAt).toBe(new Date(START + 3_600_000).toISOString())

    clock.advance(59)
    const active = await agent.request('GET', '/api/session')
    expect(active.status).toBe(200)
    expect(active.body.expiresAt).toBe(new Date(START + 119_000).toISOString())

    clock.advance(59)
    expect((await agent.request('GET', '/api/me')).status).toBe(200)

    clock.advance(60)
    const idle = await agent.request('GET', '/api/me')
    expect(idle.status).toBe(401)
    expect(idle.body.error).toBe('session_expired')
    expect(idle.headers.get('www-authenticate')).toBe('Bearer realm="authlens"')

    // Expired sessions are deleted, not just refused: going back in time does not revive them.
    clock.advance(-60)
    const after = await agent.request('GET', '/api/session')
    expect(after.status).toBe(401)
    expect(after.body.error).toBe('invalid_session')
    expect(agent.backend.snapshot().liveSessions).toBe(0)
  })

  it('M13 an active session still ends at the absolute timeout (401 session_expired)', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, sessionIdleTimeoutSeconds: 60, sessionAbsoluteTimeoutSeconds: 300 })
    await agent.loginSession()
    for (let elapsed = 50; elapsed <= 250; elapsed += 50) {
      clock.advance(50)
      const response = await agent.request('GET', '/api/session')
      expect(response.status, `at ${elapsed}s`).toBe(200)
    }
    // Idle expiry is capped by the absolute one.
    clock.advance(49)
    const last = await agent.request('GET', '/api/session')
    expect(last.status).toBe(200)
    expect(last.body.expiresAt).toBe(new Date(START + 300_000).toISOString())

    clock.advance(1)
    const expired = await agent.request('GET', '/api/session')
    expect(expired.status).toBe(401)
    expect(expired.body.error).toBe('session_expired')
    expect(isDeletion(setCookie(expired, SID))).toBe(true)
    expect(agent.cookies.has(SID)).toBe(false)
  })

  it('M13 an expired session is also refused for writes, before any CSRF question', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now, sessionIdleTimeoutSeconds: 60 })
    await agent.loginSession()
    clock.advance(61)
    const write = await agent.request('POST', '/api/notes', { json: { text: 'late' }, headers: { 'x-xsrf-token': agent.csrfToken! } })
    expect(write.status).toBe(401)
    expect(write.body.error).toBe('session_expired')
  })
})

describe('session cookies', () => {
  it('M14 on an https origin: __Host-sid with HttpOnly, SameSite=Lax, Path=/, Secure and no Domain', async () => {
    const agent = inProcessAgent({}, 'https://app.example.com')
    const login = await agent.loginSession()
    const sid = setCookie(login, '__Host-sid')
    expect(sid.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(sid.attributes.has('httponly')).toBe(true)
    expect(sid.attributes.get('samesite')).toBe('Lax')
    expect(sid.attributes.get('path')).toBe('/')
    expect(sid.attributes.has('secure')).toBe(true)
    expect(sid.attributes.has('domain')).toBe(false)
    expect(login.setCookies.some((line) => line.startsWith('sid='))).toBe(false)

    // The CSRF cookie must be readable by the page (no HttpOnly) but is otherwise as strict.
    const xsrf = setCookie(login, 'XSRF-TOKEN')
    expect(xsrf.attributes.has('httponly')).toBe(false)
    expect(xsrf.attributes.has('secure')).toBe(true)
    expect(xsrf.attributes.get('samesite')).toBe('Lax')
    expect(xsrf.attributes.get('path')).toBe('/')
    expect(xsrf.attributes.has('domain')).toBe(false)
  })

  it('M14 on plain http (not loopback): sid without Secure and without the __Host- prefix, still HttpOnly and Lax', async () => {
    const agent = inProcessAgent({}, 'http://app.example.com')
    const login = await agent.loginSession()
    expect(login.setCookies.some((line) => line.startsWith('__Host-'))).toBe(false)
    const sid = setCookie(login, 'sid')
    expect(sid.attributes.has('secure')).toBe(false)
    expect(sid.attributes.has('httponly')).toBe(true)
    expect(sid.attributes.get('samesite')).toBe('Lax')
    expect(sid.attributes.get('path')).toBe('/')
    expect(sid.attributes.has('domain')).toBe(false)
    expect(setCookie(login, 'XSRF-TOKEN').attributes.has('secure')).toBe(false)

    const session = await agent.request('GET', '/api/session')
    expect(session.status).toBe(200)
    expect(session.body.user.username).toBe('alice')
  })

  it('M14 over real HTTP on loopback: the Set-Cookie header a browser receives has every attribute', async () => {
    const { agent, close } = await httpAgent()
    try {
      const login = await agent.loginSession()
      const sid = setCookie(login, '__Host-sid')
      expect([...sid.attributes.keys()].sort()).toEqual(['httponly', 'path', 'samesite', 'secure'])
      expect(sid.attributes.get('samesite')).toBe('Lax')
      expect(sid.attributes.get('path')).toBe('/')
    } finally {
      await close()
    }
  })

  it('M21 session ids and CSRF tokens carry at least 128 bits and are all distinct', async () => {
    const agent = inProcessAgent()
    const ids = new Set<string>()
    const csrfTokens = new Set<string>()
    for (let i = 0; i < 40; i++) {
      const browser = sibling(agent)
      await browser.loginSession()
      const id = browser.cookies.get(SID)!
      const csrf = browser.csrfToken!
      for (const value of [id, csrf]) {
        expect(value).toMatch(/^[A-Za-z0-9_-]+$/)
        expect(Buffer.from(value, 'base64url').byteLength).toBeGreaterThanOrEqual(16)
      }
      ids.add(id)
      csrfTokens.add(csrf)
    }
    expect(ids.size).toBe(40)
    expect(csrfTokens.size).toBe(40)
    expect([...ids].some((id) => csrfTokens.has(id))).toBe(false)
  })

  it('M21 a session id is the encoding of bytes drawn from crypto.getRandomValues (the platform CSPRNG)', async () => {
    const agent = inProcessAgent()
    await agent.backend.ready
    const drawn: string[] = []
    const original = crypto.getRandomValues.bind(crypto)
    const spy = vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const result = original(array as Uint8Array) as unknown as T
      if (result instanceof Uint8Array) drawn.push(base64url(new Uint8Array(result)))
      return result
    })
    try {
      await agent.loginSession()
    } finally {
      spy.mockRestore()
    }
    expect(drawn).toContain(agent.cookies.get(SID))
  })

  it('M32 a well-formed id the server never issued is not adopted: 401 and the cookie cleared', async () => {
    const agent = inProcessAgent()
    const forged = forgedSessionId()
    agent.cookies.set(SID, forged)
    const session = await agent.request('GET', '/api/session')
    expect(session.status).toBe(401)
    expect(session.body.error).toBe('invalid_session')
    expect(isDeletion(setCookie(session, SID))).toBe(true)
    expect(agent.cookies.has(SID)).toBe(false)

    const me = await agent.request('GET', '/api/me', { headers: { cookie: `${SID}=${forged}` } })
    expect(me.status).toBe(401)
    expect(me.body.error).toBe('invalid_session')
    expect(agent.backend.snapshot().liveSessions).toBe(0)
  })

  it('M32 login while sending a never-issued id issues a different, fresh id; the forged one stays dead', async () => {
    const agent = inProcessAgent()
    const forged = forgedSessionId()
    agent.cookies.set(SID, forged)
    const login = await agent.loginSession()
    const issued = setCookie(login, SID).value
    expect(issued).not.toBe(forged)
    expect(agent.backend.snapshot().liveSessions).toBe(1)
    const withForged = await sibling(agent).request('GET', '/api/session', { headers: { cookie: `${SID}=${forged}` } })
    expect(withForged.status).toBe(401)
    const withIssued = await agent.request('GET', '/api/session')
    expect(withIssued.status).toBe(200)
  })

  for (const runtime of ['in-process', 'http'] as const) {
    it(`M33 responses that set, carry or clear session cookies have Cache-Control: no-store (${runtime})`, async () => {
      const { agent, close } = runtime === 'http' ? await httpAgent() : { agent: inProcessAgent(), close: async () => {} }
      try {
        const checked: AgentResponse[] = []
        const login = await agent.loginSession()
        checked.push(login)
        checked.push(await agent.request('GET', '/api/session'))
        checked.push(await agent.request('GET', '/api/me'))
        checked.push(await agent.request('GET', '/api/notes'))
        checked.push(await agent.request('POST', '/api/notes', { json: { text: 'x' }, headers: { 'x-xsrf-token': agent.csrfToken! } }))
        const logout = await agent.request('POST', '/api/session/logout', { headers: { 'x-xsrf-token': agent.csrfToken! } })
        checked.push(logout)
        agent.cookies.set(SID, forgedSessionId())
        const rejected = await agent.request('GET', '/api/session')
        checked.push(rejected)
        expect(checked.map((response) => response.status)).toEqual([200, 200, 200, 200, 201, 200, 401])
        for (const response of [login, logout, rejected]) expect(response.setCookies.length).toBeGreaterThan(0)
        for (const response of checked) {
          expect(response.headers.get('cache-control')).toBe('no-store')
          expect(response.headers.get('pragma')).toBe('no-cache')
        }
      } finally {
        await close()
      }
    })
  }
})

describe('precedence and isolation', () => {
  it('M19 precedence: bearer wins — an Authorization header is the only credential considered, a session cookie riding along is ignored', async () => {
    const agent = inProcessAgent()
    const { accessToken } = await agent.loginJwt('alice', 'wonderland')
    await agent.loginSession('bob', 'builder-bob')
    expect(agent.cookies.has(SID)).toBe(true)

    const me = await agent.request('GET', '/api/me', { bearer: accessToken })
    expect(me.status).toBe(200)
    expect(me.body.user.username).toBe('alice')
    expect(me.body.via).toBe('bearer')

    const cookieOnly = await agent.request('GET', '/api/me')
    expect(cookieOnly.body.user.username).toBe('bob')
    expect(cookieOnly.body.via).toBe('session')

    // A write with both lands in the bearer user's data, never bob's.
    const created = await agent.request('POST', '/api/notes', { json: { text: 'mine' }, bearer: accessToken })
    expect(created.status).toBe(201)
    expect((await agent.request('GET', '/api/notes', { bearer: accessToken })).body.notes).toHaveLength(1)
    expect((await agent.request('GET', '/api/notes')).body.notes).toEqual([])
  })

  it('M19 precedence: an invalid bearer with a valid session cookie is 401, with no fallback to the session', async () => {
    const agent = inProcessAgent()
    await agent.loginSession('bob', 'builder-bob')
    for (const authorization of ['Bearer not-a-jwt', 'Bearer a.b.c', 'Basic Ym9iOmJ1aWxkZXItYm9i', 'Bearer']) {
      const me = await agent.request('GET', '/api/me', { headers: { authorization } })
      expect(me.status, authorization).toBe(401)
      expect(me.body.error, authorization).toBe('invalid_token')
      expect(me.headers.get('www-authenticate'), authorization).toContain('error="invalid_token"')
    }
    expect((await agent.request('GET', '/api/me')).body.user.username).toBe('bob')
  })

  it('notes are per user: bob cannot see or delete alice’s note (404), and alice keeps it', async () => {
    const alice = inProcessAgent()
    const bob = sibling(alice)
    await alice.loginSession('alice', 'wonderland')
    await bob.loginSession('bob', 'builder-bob')
    const created = await alice.request('POST', '/api/notes', { json: { text: 'alice only' }, headers: { 'x-xsrf-token': alice.csrfToken! } })
    expect(created.status).toBe(201)
    const noteId: string = created.body.note.id

    const bobList = await bob.request('GET', '/api/notes')
    expect(bobList.status).toBe(200)
    expect(bobList.body.notes).toEqual([])

    const bobDelete = await bob.request('DELETE', `/api/notes/${noteId}`, { headers: { 'x-xsrf-token': bob.csrfToken! } })
    expect(bobDelete.status).toBe(404)
    expect(bobDelete.body.error).toBe('not_found')
    // Indistinguishable from a note that does not exist at all.
    const missing = await bob.request('DELETE', '/api/notes/no-such-note', { headers: { 'x-xsrf-token': bob.csrfToken! } })
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual(bobDelete.body)

    const aliceList = await alice.request('GET', '/api/notes')
    expect(aliceList.body.notes.map((note: { id: string }) => note.id)).toEqual([noteId])
    const aliceDelete = await alice.request('DELETE', `/api/notes/${noteId}`, { headers: { 'x-xsrf-token': alice.csrfToken! } })
    expect(aliceDelete.status).toBe(204)
    expect((await alice.request('GET', '/api/notes')).body.notes).toEqual([])
  })
})

describe('sign-in failures', () => {
  function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)]!
  }

  it('M17 wrong password and unknown user: same status, same code, same body', async () => {
    const agent = inProcessAgent()
    const wrongPassword = await agent.request('POST', '/api/session/login', { json: { username: 'alice', password: 'not-wonderland' } })
    const unknownUser = await agent.request('POST', '/api/session/login', { json: { username: 'mallory', password: 'not-wonderland' } })
    expect(wrongPassword.status).toBe(401)
    expect(wrongPassword.body.error).toBe('invalid_credentials')
    expect(unknownUser.status).toBe(wrongPassword.status)
    expect(unknownUser.body).toEqual(wrongPassword.body)
    expect(unknownUser.setCookies).toEqual([])
    expect(wrongPassword.setCookies).toEqual([])

    const jwtWrong = await agent.request('POST', '/api/auth/login', { json: { username: 'bob', password: 'nope' } })
    const jwtUnknown = await agent.request('POST', '/api/auth/login', { json: { username: 'nobody', password: 'nope' } })
    expect(jwtWrong.status).toBe(401)
    expect(jwtWrong.body.error).toBe('invalid_credentials')
    expect(jwtUnknown.status).toBe(401)
    expect(jwtUnknown.body).toEqual(jwtWrong.body)
  })

  it('M17 wrong password and unknown user take similar time (medians within 3x, hashing dominates)', async () => {
    // Realistic hashing cost, and no throttle so every attempt reaches the hash.
    const agent = inProcessAgent({ passwordHashIterations: 20_000, loginThrottle: { maxFailures: 1_000, windowSeconds: 60 } })
    await agent.backend.ready
    const time = async (username: string) => {
      const started = performance.now()
      const response = await agent.request('POST', '/api/session/login', { json: { username, password: 'wrong-password' } })
      const elapsed = performance.now() - started
      expect(response.status).toBe(401)
      return elapsed
    }
    await time('alice')
    await time('warm-up-unknown')
    const known: number[] = []
    const unknown: number[] = []
    for (let i = 0; i < 9; i++) {
      known.push(await time('alice'))
      unknown.push(await time(`nobody-${i}`))
    }
    const ratio = median(known) / median(unknown)
    expect(ratio, `known ${median(known).toFixed(2)} ms vs unknown ${median(unknown).toFixed(2)} ms`).toBeGreaterThan(1 / 3)
    expect(ratio).toBeLessThan(3)
  })

  it('throttling: the 6th attempt after 5 failures is 429 with Retry-After, even with the right password, until the window passes', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now })
    for (let i = 1; i <= 5; i++) {
      const failure = await agent.request('POST', '/api/session/login', { json: { username: 'alice', password: `guess-${i}` } })
      expect(failure.status, `attempt ${i}`).toBe(401)
      expect(failure.body.error).toBe('invalid_credentials')
    }
    const throttled = await agent.request('POST', '/api/session/login', { json: { username: 'alice', password: 'wonderland' } })
    expect(throttled.status).toBe(429)
    expect(throttled.body.error).toBe('too_many_attempts')
    expect(throttled.headers.get('retry-after')).toBe('300')
    expect(throttled.setCookies).toEqual([])

    // Same account through the other login endpoints, and case-folded usernames, share the counter.
    const viaJwt = await agent.request('POST', '/api/auth/login', { json: { username: ' ALICE ', password: 'wonderland' } })
    expect(viaJwt.status).toBe(429)
    expect(viaJwt.body.error).toBe('too_many_attempts')

    // Another account is not affected.
    const bob = await agent.request('POST', '/api/session/login', { json: { username: 'bob', password: 'builder-bob' } })
    expect(bob.status).toBe(200)

    clock.advance(120)
    const later = await agent.request('POST', '/api/session/login', { json: { username: 'alice', password: 'wonderland' } })
    expect(later.status).toBe(429)
    expect(later.headers.get('retry-after')).toBe('180')

    clock.advance(180)
    const afterWindow = await agent.request('POST', '/api/session/login', { json: { username: 'alice', password: 'wonderland' } })
    expect(afterWindow.status).toBe(200)
  })

  it('throttling: a successful login resets the failure count', async () => {
    const agent = inProcessAgent()
    const attempt = (password: string) => agent.request('POST', '/api/session/login', { json: { username: 'alice', password } })
    for (let i = 0; i < 4; i++) expect((await attempt('wrong')).status).toBe(401)
    expect((await attempt('wonderland')).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await attempt('wrong')).status, `failure ${i + 1} after reset`).toBe(401)
    const sixth = await attempt('wrong')
    expect(sixth.status).toBe(429)
    expect(sixth.body.error).toBe('too_many_attempts')
  })

  it('throttling: unknown usernames are throttled the same way, so a 429 does not reveal an account', async () => {
    const agent = inProcessAgent()
    const attempt = () => agent.request('POST', '/api/session/login', { json: { username: 'ghost', password: 'wrong' } })
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401)
    const sixth = await attempt()
    expect(sixth.status).toBe(429)
    expect(sixth.headers.get('retry-after')).toBe('300')
  })

  it('throttling holds under concurrency: parallel guesses cannot all slip past the check', async () => {
    const agent = inProcessAgent()
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => agent.request('POST', '/api/session/login', { json: { username: 'alice', password: `guess-${i}` } })),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 401)).toHaveLength(5)
    expect(statuses.filter((status) => status === 429)).toHaveLength(15)
  })
})

describe('/__mock controls', () => {
  it('latency applies to API routes but not to the control routes, and can be switched off', async () => {
    const agent = inProcessAgent()
    await agent.loginSession()
    const set = await agent.request('POST', '/__mock/latency', { json: { ms: 250 } })
    expect(set.status).toBe(200)
    expect(set.body.latencyMs).toBe(250)

    let started = performance.now()
    const slow = await agent.request('GET', '/api/me')
    const slowMs = performance.now() - started
    expect(slow.status).toBe(200)
    expect(slowMs).toBeGreaterThanOrEqual(240)

    started = performance.now()
    expect((await agent.request('GET', '/__mock/stats')).status).toBe(200)
    expect(performance.now() - started).toBeLessThan(200)

    expect((await agent.request('POST', '/__mock/latency', { json: { ms: 0 } })).body.latencyMs).toBe(0)
    started = performance.now()
    expect((await agent.request('GET', '/api/me')).status).toBe(200)
    expect(performance.now() - started).toBeLessThan(200)
  })

  it('fail-refresh fails the next N refreshes with the chosen mode, then refresh recovers', async () => {
    const agent = inProcessAgent()
    const { refreshToken } = await agent.loginJwt()
    const armed = await agent.request('POST', '/__mock/fail-refresh', { json: { count: 2, mode: '500' } })
    expect(armed.status).toBe(200)
    expect(armed.body.pendingRefreshFailures).toBe(2)

    const first = await agent.request('POST', '/api/auth/refresh', { json: { refreshToken } })
    expect(first.status).toBe(500)
    expect(first.body.error).toBe('server_error')
    expect(agent.backend.snapshot().pendingRefreshFailures).toBe(1)
    const second = await agent.request('POST', '/api/auth/refresh', { json: { refreshToken } })
    expect(second.status).toBe(500)
    expect(agent.backend.snapshot().pendingRefreshFailures).toBe(0)

    // The injected failures never consumed the refresh token: it still rotates.
    const recovered = await agent.request('POST', '/api/auth/refresh', { json: { refreshToken } })
    expect(recovered.status).toBe(200)
    expect(typeof recovered.body.accessToken).toBe('string')
    expect(recovered.body.refreshToken).not.toBe(refreshToken)

    await agent.request('POST', '/__mock/fail-refresh', { json: { count: 1, mode: '401' } })
    const refused = await agent.request('POST', '/api/auth/refresh', { json: { refreshToken: recovered.body.refreshToken } })
    expect(refused.status).toBe(401)
    expect(refused.body.error).toBe('invalid_grant')
    const again = await agent.request('POST', '/api/auth/refresh', { json: { refreshToken: recovered.body.refreshToken } })
    expect(again.status).toBe(200)
    expect(agent.backend.snapshot().requests['POST /api/auth/refresh']).toBe(5)
  })

  it('clock offset shifts the server clock: a live session and an access token expire, offset 0 restores', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now })
    await agent.loginSession()
    const { accessToken } = await agent.loginJwt()

    const shifted = await agent.request('POST', '/__mock/clock', { json: { offsetSeconds: 3600 } })
    expect(shifted.status).toBe(200)
    expect(shifted.body.clockOffsetSeconds).toBe(3600)
    expect(agent.backend.clock.now()).toBe(START + 3_600_000)

    const session = await agent.request('GET', '/api/session')
    expect(session.status).toBe(401)
    expect(session.body.error).toBe('session_expired')
    const bearer = await agent.request('GET', '/api/me', { bearer: accessToken })
    expect(bearer.status).toBe(401)
    expect(bearer.body.error).toBe('invalid_token')

    const restored = await agent.request('POST', '/__mock/clock', { json: { offsetSeconds: 0 } })
    expect(restored.body.clockOffsetSeconds).toBe(0)
    expect(agent.backend.clock.now()).toBe(START)
    expect((await agent.request('GET', '/api/me', { bearer: accessToken })).status).toBe(200)
  })

  it('revoke signs one user out everywhere (sessions and refresh families) and leaves others alone', async () => {
    const alice = inProcessAgent()
    const bob = sibling(alice)
    await alice.loginSession()
    const { refreshToken } = await alice.loginJwt()
    await bob.loginSession('bob', 'builder-bob')
    expect(alice.backend.snapshot().liveSessions).toBe(2)

    const revoked = await alice.request('POST', '/__mock/revoke', { json: { username: 'alice' } })
    expect(revoked.status).toBe(200)
    expect(revoked.body.liveSessions).toBe(1)
    expect(revoked.body.liveRefreshFamilies).toBe(0)

    expect((await alice.request('GET', '/api/session')).status).toBe(401)
    const refresh = await alice.request('POST', '/api/auth/refresh', { json: { refreshToken } })
    expect(refresh.status).toBe(401)
    expect(refresh.body.error).toBe('invalid_grant')
    expect((await bob.request('GET', '/api/session')).status).toBe(200)

    const unknown = await alice.request('POST', '/__mock/revoke', { json: { username: 'mallory' } })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error).toBe('not_found')
  })

  it('reset forgets sessions, notes, counters, faults, clock offset and login throttles', async () => {
    const clock = fakeClock()
    const agent = inProcessAgent({ now: clock.now })
    await agent.loginSession()
    await agent.request('POST', '/api/notes', { json: { text: 'before reset' }, headers: { 'x-xsrf-token': agent.csrfToken! } })
    for (let i = 0; i < 5; i++) await agent.request('POST', '/api/session/login', { json: { username: 'bob', password: 'wrong' } })
    expect((await agent.request('POST', '/api/session/login', { json: { username: 'bob', password: 'builder-bob' } })).status).toBe(429)
    await agent.request('POST', '/__mock/latency', { json: { ms: 5 } })
    await agent.request('POST', '/__mock/clock', { json: { offsetSeconds: 60 } })
    await agent.request('POST', '/__mock/fail-refresh', { json: { count: 3 } })

    const reset = await agent.request('POST', '/__mock/reset')
    expect(reset.status).toBe(200)
    expect(reset.body).toMatchObject({
      logins: 0,
      failedLogins: 0,
      sessionLookups: 0,
      csrfRejections: 0,
      requests: {},
      liveSessions: 0,
      liveRefreshFamilies: 0,
      clockOffsetSeconds: 0,
      latencyMs: 0,
      pendingRefreshFailures: 0,
    })
    expect(agent.backend.clock.now()).toBe(START)
    expect((await agent.request('GET', '/api/session')).status).toBe(401)
    expect((await agent.request('POST', '/api/session/login', { json: { username: 'bob', password: 'builder-bob' } })).status).toBe(200)
    expect((await agent.request('GET', '/api/notes')).body.notes).toEqual([])
  })

  it('stats counters increase with logins, failures, lookups, CSRF rejections and requests', async () => {
    const agent = inProcessAgent()
    const before = (await agent.request('GET', '/__mock/stats')).body
    expect(before).toMatchObject({ logins: 0, failedLogins: 0, sessionLookups: 0, csrfRejections: 0, unauthorized: 0, liveSessions: 0 })

    await agent.request('POST', '/api/session/login', { json: { username: 'alice', password: 'wrong' } })
    await agent.loginSession()
    await agent.request('GET', '/api/me')
    await agent.request('GET', '/api/notes')
    await agent.request('POST', '/api/notes', { json: { text: 'no csrf' } })
    await agent.request('GET', '/api/me', { noCookies: true })

    const after = (await agent.request('GET', '/__mock/stats')).body
    expect(after).toMatchObject({
      logins: 1,
      failedLogins: 1,
      sessionLookups: 3,
      csrfRejections: 1,
      unauthorized: 2,
      liveSessions: 1,
    })
    expect(after.requests).toMatchObject({
      'POST /api/session/login': 2,
      'GET /api/me': 2,
      'GET /api/notes': 1,
      'POST /api/notes': 1,
    })
  })

  it('settings toggles revokeAccessTokenOnLogout', async () => {
    const agent = inProcessAgent()
    expect((await agent.request('GET', '/__mock/stats')).body.revokeAccessTokenOnLogout).toBe(true)
    const changed = await agent.request('POST', '/__mock/settings', { json: { revokeAccessTokenOnLogout: false } })
    expect(changed.status).toBe(200)
    expect(changed.body.revokeAccessTokenOnLogout).toBe(false)
    expect(agent.backend.options.revokeAccessTokenOnLogout).toBe(false)
  })

  it('bad control input is 400 invalid_request (or 415) and changes nothing', async () => {
    const agent = inProcessAgent()
    const cases: Array<[string, unknown]> = [
      ['/__mock/latency', { ms: -1 }],
      ['/__mock/latency', { ms: 10_001 }],
      ['/__mock/latency', { ms: 1.5 }],
      ['/__mock/latency', { ms: '100' }],
      ['/__mock/latency', {}],
      ['/__mock/fail-refresh', { count: 1, mode: 'boom' }],
      ['/__mock/fail-refresh', { count: -1 }],
      ['/__mock/fail-refresh', { count: 101 }],
      ['/__mock/clock', { offsetSeconds: 86_401 }],
      ['/__mock/clock', { offsetSeconds: null }],
      ['/__mock/revoke', {}],
      ['/__mock/revoke', { username: 42 }],
      ['/__mock/settings', { revokeAccessTokenOnLogout: 'yes' }],
      ['/__mock/latency', [100]],
    ]
    for (const [path, json] of cases) {
      const response = await agent.request('POST', path, { json })
      expect(response.status, `${path} ${JSON.stringify(json)}`).toBe(400)
      expect(response.body.error, `${path} ${JSON.stringify(json)}`).toBe('invalid_request')
    }
    const malformed = await agent.request('POST', '/__mock/latency', { body: '{"ms": 5', headers: { 'content-type': 'application/json' } })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error).toBe('invalid_request')
    const wrongType = await agent.request('POST', '/__mock/latency', { body: 'ms=5', headers: { 'content-type': 'text/plain' } })
    expect(wrongType.status).toBe(415)
    expect(wrongType.body.error).toBe('unsupported_media_type')

    const state = agent.backend.snapshot()
    expect(state.latencyMs).toBe(0)
    expect(state.pendingRefreshFailures).toBe(0)
    expect(state.clockOffsetSeconds).toBe(0)
    expect(state.revokeAccessTokenOnLogout).toBe(true)
  })

  it('a foreign site cannot drive the controls (cross-site POST → 403)', async () => {
    const agent = inProcessAgent()
    const response = await agent.request('POST', '/__mock/latency', { json: { ms: 5_000 }, from: 'https://evil.example' })
    expect(response.status).toBe(403)
    expect(response.body.error).toBe('csrf_failed')
    expect(agent.backend.snapshot().latencyMs).toBe(0)
  })

  it('controls are 404 when the backend is created with controls: false (in process and over HTTP)', async () => {
    const agent = inProcessAgent({ controls: false })
    for (const [method, path] of [['GET', '/__mock/stats'], ['POST', '/__mock/reset'], ['POST', '/__mock/latency']] as const) {
      const response = await agent.request(method, path, method === 'POST' ? { json: { ms: 1 } } : {})
      expect(response.status, path).toBe(404)
      expect(response.body.error).toBe('not_found')
    }
    expect(agent.backend.snapshot().latencyMs).toBe(0)

    const { agent: remote, close } = await httpAgent({ controls: false })
    try {
      const stats = await remote.request('GET', '/__mock/stats')
      expect(stats.status).toBe(404)
      expect(stats.body.error).toBe('not_found')
      const latency = await remote.request('POST', '/__mock/latency', { json: { ms: 1 } })
      expect(latency.status).toBe(404)
      expect(remote.backend.snapshot().latencyMs).toBe(0)
    } finally {
      await close()
    }
  })
})
