import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MockBackendOptions } from '../src/config.ts'
import { Agent, httpAgent, inProcess, inProcessAgent, type AgentResponse } from './agent.ts'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'

/** A second browser on the same backend (another user, or an attacker). */
function sibling(agent: Agent): Agent {
  return new Agent(agent.backend, inProcess(agent.backend), agent.origin)
}

/** Alice signed in with a session, holding one note, on a server at `origin`. */
async function signedInWithNote(origin = APP, options: MockBackendOptions = {}) {
  const agent = inProcessAgent(options, origin)
  await agent.loginSession()
  const created = await agent.request('POST', '/api/notes', { json: { text: 'original' }, headers: { 'x-xsrf-token': agent.csrfToken! } })
  expect(created.status).toBe(201)
  const noteId: string = created.body.note.id
  const notes = async () => (await agent.request('GET', '/api/notes')).body.notes.map((note: { id: string; text: string }) => note.text)
  return { agent, noteId, notes }
}

function expectCsrfFailed(response: AgentResponse, label?: string): void {
  expect(response.status, label).toBe(403)
  expect(response.body.error, label).toBe('csrf_failed')
}

describe('CSRF: double submit', () => {
  it('M15 a write with the session cookie and no X-XSRF-TOKEN is 403 csrf_failed and nothing changes', async () => {
    const { agent, noteId, notes } = await signedInWithNote()
    expectCsrfFailed(await agent.request('POST', '/api/notes', { json: { text: 'forged' } }))
    expectCsrfFailed(await agent.request('DELETE', `/api/notes/${noteId}`))
    expect(await notes()).toEqual(['original'])
    expect(agent.backend.snapshot().csrfRejections).toBe(2)
  })

  it('M15 a write with a wrong X-XSRF-TOKEN is 403 csrf_failed and nothing changes', async () => {
    const { agent, noteId, notes } = await signedInWithNote()
    const real = agent.csrfToken!
    const wrongValues = ['wrong', real.slice(0, -1), `${real}x`, real.toUpperCase() === real ? real.toLowerCase() : real.toUpperCase(), ' ']
    for (const wrong of wrongValues) {
      expectCsrfFailed(await agent.request('POST', '/api/notes', { json: { text: 'forged' }, headers: { 'x-xsrf-token': wrong } }), wrong)
      expectCsrfFailed(await agent.request('DELETE', `/api/notes/${noteId}`, { headers: { 'x-xsrf-token': wrong } }), wrong)
    }
    expect(await notes()).toEqual(['original'])
  })

  it('M15 a planted CSRF cookie echoed in the header does not pass: the token is bound to the session', async () => {
    const { agent, notes } = await signedInWithNote()
    const sid = agent.cookies.get('__Host-sid')!
    const planted = 'attacker-chosen-token-value-0000000000000'
    const response = await agent.request('POST', '/api/notes', {
      json: { text: 'forged' },
      headers: { cookie: `__Host-sid=${sid}; XSRF-TOKEN=${planted}`, 'x-xsrf-token': planted },
    })
    expectCsrfFailed(response)
    expect(await notes()).toEqual(['original'])
  })

  it('M15 another user’s valid CSRF token does not work with this session', async () => {
    const { agent, notes } = await signedInWithNote()
    const bob = sibling(agent)
    await bob.loginSession('bob', 'builder-bob')
    expectCsrfFailed(await agent.request('POST', '/api/notes', { json: { text: 'forged' }, headers: { 'x-xsrf-token': bob.csrfToken! } }))
    expect(await notes()).toEqual(['original'])
  })

  it('M15 the header without the CSRF cookie is refused too (both halves are required)', async () => {
    const { agent, notes } = await signedInWithNote()
    const sid = agent.cookies.get('__Host-sid')!
    const response = await agent.request('POST', '/api/notes', {
      json: { text: 'forged' },
      headers: { cookie: `__Host-sid=${sid}`, 'x-xsrf-token': agent.csrfToken! },
    })
    expectCsrfFailed(response)
    expect(await notes()).toEqual(['original'])
  })

  it('M15 logout and password change need the token too: without it the session and password survive', async () => {
    const { agent } = await signedInWithNote()
    expectCsrfFailed(await agent.request('POST', '/api/session/logout'))
    expect((await agent.request('GET', '/api/session')).status).toBe(200)

    expectCsrfFailed(await agent.request('POST', '/api/me/password', { json: { currentPassword: 'wonderland', newPassword: 'attacker-pass' } }))
    const other = sibling(agent)
    expect((await other.request('POST', '/api/session/login', { json: { username: 'alice', password: 'wonderland' } })).status).toBe(200)
    expect((await agent.request('GET', '/api/session')).status).toBe(200)
  })

  it('M16 safe methods with the session cookie and no CSRF header (or Origin) are allowed', async () => {
    const { agent } = await signedInWithNote()
    for (const path of ['/api/session', '/api/me', '/api/notes']) {
      const response = await agent.request('GET', path)
      expect(response.status, path).toBe(200)
    }
    // Even a cross-site GET (a link or an <img>) reads fine; SameSite and CORS keep it harmless.
    const crossSite = await agent.request('GET', '/api/notes', { headers: { 'sec-fetch-site': 'cross-site' } })
    expect(crossSite.status).toBe(200)
    expect(crossSite.body.notes.map((note: { text: string }) => note.text)).toEqual(['original'])
  })
})

describe('CSRF: Fetch Metadata and Origin (M34)', () => {
  it('M34 control: same-origin write with the token, Origin and Sec-Fetch-Site: same-origin succeeds', async () => {
    const { agent, notes } = await signedInWithNote()
    const response = await agent.request('POST', '/api/notes', {
      json: { text: 'legit' },
      headers: { 'x-xsrf-token': agent.csrfToken!, 'sec-fetch-site': 'same-origin' },
    })
    expect(response.status).toBe(201)
    expect(await notes()).toEqual(['original', 'legit'])
  })

  it('M34 Sec-Fetch-Site: cross-site with a valid token (and even a same-origin Origin) → 403', async () => {
    const { agent, noteId, notes } = await signedInWithNote()
    const headers = { 'x-xsrf-token': agent.csrfToken!, 'sec-fetch-site': 'cross-site', origin: APP }
    expectCsrfFailed(await agent.request('POST', '/api/notes', { json: { text: 'forged' }, headers }))
    expectCsrfFailed(await agent.request('DELETE', `/api/notes/${noteId}`, { headers }))
    expectCsrfFailed(await agent.request('POST', '/api/notes', { json: { text: 'forged' }, from: EVIL, headers: { 'x-xsrf-token': agent.csrfToken! } }))
    expect(await notes()).toEqual(['original'])
  })

  it('M34 Origin https://app.example.com.attacker.com for a server at https://app.example.com → 403 (whole-origin match)', async () => {
    const { agent, notes } = await signedInWithNote()
    for (const origin of ['https://app.example.com.attacker.com', 'http://app.example.com', 'https://app.example.com:8443', 'https://evil.app.example.com']) {
      const response = await agent.request('POST', '/api/notes', { json: { text: 'forged' }, headers: { 'x-xsrf-token': agent.csrfToken!, origin } })
      expectCsrfFailed(response, origin)
    }
    expect(await notes()).toEqual(['original'])
  })

  it('M34 Origin: null → 403', async () => {
    const { agent, notes } = await signedInWithNote()
    const response = await agent.request('POST', '/api/notes', { json: { text: 'forged' }, headers: { 'x-xsrf-token': agent.csrfToken!, origin: 'null' } })
    expectCsrfFailed(response)
    expect(await notes()).toEqual(['original'])
  })

  it('M34 both Origin and Referer missing on a cookie-authenticated write → 403', async () => {
    const { agent, noteId, notes } = await signedInWithNote()
    expectCsrfFailed(await agent.request('POST', '/api/notes', { json: { text: 'forged' }, noOrigin: true, headers: { 'x-xsrf-token': agent.csrfToken! } }))
    expectCsrfFailed(await agent.request('DELETE', `/api/notes/${noteId}`, { noOrigin: true, headers: { 'x-xsrf-token': agent.csrfToken! } }))
    expect(await notes()).toEqual(['original'])
  })

  it('M34 a same-origin Referer without Origin passes; a foreign or look-alike Referer does not', async () => {
    const { agent, notes } = await signedInWithNote()
    const token = agent.csrfToken!
    const passed = await agent.request('POST', '/api/notes', {
      json: { text: 'via referer' },
      noOrigin: true,
      headers: { 'x-xsrf-token': token, referer: `${APP}/notes?page=2` },
    })
    expect(passed.status).toBe(201)
    for (const referer of [`${EVIL}/`, 'https://app.example.com.attacker.com/notes', 'not a url']) {
      const response = await agent.request('POST', '/api/notes', { json: { text: 'forged' }, noOrigin: true, headers: { 'x-xsrf-token': token, referer } })
      expectCsrfFailed(response, referer)
    }
    expect(await notes()).toEqual(['original', 'via referer'])
  })

  it('M34 an origin listed in trustedOrigins may write (same-site sibling), an unlisted sibling may not', async () => {
    const { agent, notes } = await signedInWithNote(APP, { trustedOrigins: ['https://admin.example.com'] })
    const token = agent.csrfToken!
    const trusted = await agent.request('POST', '/api/notes', {
      json: { text: 'from admin' },
      headers: { 'x-xsrf-token': token, origin: 'https://admin.example.com', 'sec-fetch-site': 'same-site' },
    })
    expect(trusted.status).toBe(201)
    const untrusted = await agent.request('POST', '/api/notes', {
      json: { text: 'forged' },
      headers: { 'x-xsrf-token': token, origin: 'https://blog.example.com', 'sec-fetch-site': 'same-site' },
    })
    expectCsrfFailed(untrusted)
    expect(await notes()).toEqual(['original', 'from admin'])
  })

  it('M34 bearer requests are not cookie-borne, so they need no CSRF token or Origin', async () => {
    const agent = inProcessAgent({}, APP)
    const { accessToken } = await agent.loginJwt()
    const response = await agent.request('POST', '/api/notes', { json: { text: 'api client' }, bearer: accessToken, noOrigin: true })
    expect(response.status).toBe(201)
  })
})

describe('content types and methods', () => {
  it('M35 a JSON endpoint refuses text/plain, form-encoded and multipart bodies with 415, even with a valid CSRF token', async () => {
    const { agent, notes } = await signedInWithNote()
    const headers = { 'x-xsrf-token': agent.csrfToken! }
    const multipart = new FormData()
    multipart.set('text', 'forged')
    const attempts: Array<[string, AgentResponse]> = [
      ['text/plain', await agent.request('POST', '/api/notes', { body: '{"text":"forged"}', headers: { ...headers, 'content-type': 'text/plain' } })],
      ['text/plain;charset=UTF-8', await agent.request('POST', '/api/notes', { body: '{"text":"forged"}', headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' } })],
      ['form', await agent.request('POST', '/api/notes', { form: { text: 'forged' }, headers })],
      ['multipart', await agent.request('POST', '/api/notes', { body: multipart, headers })],
      ['none', await agent.request('POST', '/api/notes', { body: '{"text":"forged"}', headers })],
    ]
    for (const [label, response] of attempts) {
      expect(response.status, label).toBe(415)
      expect(response.body.error, label).toBe('unsupported_media_type')
    }
    expect(await notes()).toEqual(['original'])

    const withCharset = await agent.request('POST', '/api/notes', { body: '{"text":"ok"}', headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } })
    expect(withCharset.status).toBe(201)
  })

  it('M35 the login endpoints are JSON-only: a form post (what a cross-site <form> can send) is 415 and signs nobody in', async () => {
    const agent = inProcessAgent({}, APP)
    const sessionLogin = await agent.request('POST', '/api/session/login', { form: { username: 'alice', password: 'wonderland' } })
    expect(sessionLogin.status).toBe(415)
    expect(sessionLogin.body.error).toBe('unsupported_media_type')
    expect(sessionLogin.setCookies).toEqual([])
    const jwtLogin = await agent.request('POST', '/api/auth/login', {
      body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
      headers: { 'content-type': 'text/plain' },
    })
    expect(jwtLogin.status).toBe(415)
    expect(jwtLogin.body.accessToken).toBeUndefined()
    expect(agent.backend.snapshot().logins).toBe(0)
  })

  it('M35 the OAuth2 token endpoint accepts form-encoded bodies (RFC 6749) and refuses JSON with 415', async () => {
    const agent = inProcessAgent({}, APP)
    const { refreshToken } = await agent.loginJwt()
    const json = await agent.request('POST', '/oauth/token', { json: { grant_type: 'refresh_token', refresh_token: refreshToken } })
    expect(json.status).toBe(415)
    expect(json.body.error).toBe('unsupported_media_type')

    const form = await agent.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: refreshToken! } })
    expect(form.status).toBe(200)
    expect(form.body.token_type).toBe('Bearer')
    expect(typeof form.body.access_token).toBe('string')
    expect(typeof form.body.refresh_token).toBe('string')
    const me = await agent.request('GET', '/api/me', { bearer: form.body.access_token })
    expect(me.body.user.username).toBe('alice')
  })

  it('M36 state change over GET is 405 with an Allow header: GET /api/auth/logout, GET /api/session/login, GET /api/session/logout', async () => {
    const agent = inProcessAgent({}, APP)
    await agent.loginSession()
    for (const path of ['/api/auth/logout', '/api/session/login', '/api/session/logout', '/api/auth/login', '/api/auth/refresh']) {
      const response = await agent.request('GET', path)
      expect(response.status, path).toBe(405)
      expect(response.body.error, path).toBe('method_not_allowed')
      expect(response.headers.get('allow'), path).toBe('POST, OPTIONS')
      expect(response.setCookies, path).toEqual([])
    }
    const deleteNotes = await agent.request('GET', '/api/notes/some-id')
    expect(deleteNotes.status).toBe(405)
    expect(deleteNotes.headers.get('allow')).toBe('DELETE, OPTIONS')
    const putSession = await agent.request('PUT', '/api/session', { json: {}, headers: { 'x-xsrf-token': agent.csrfToken! } })
    expect(putSession.status).toBe(405)
    expect(putSession.headers.get('allow')).toBe('GET, OPTIONS')
    // The session survived the GET to logout.
    expect((await agent.request('GET', '/api/session')).status).toBe(200)
  })

  it('M36 a cross-site POST to /api/session/login (login CSRF) is 403 and sets no cookie', async () => {
    const agent = inProcessAgent({}, APP)
    const response = await agent.request('POST', '/api/session/login', { json: { username: 'mallory-would-use-own', password: 'x' }, from: EVIL })
    expectCsrfFailed(response)
    const withValid = await agent.request('POST', '/api/session/login', { json: { username: 'bob', password: 'builder-bob' }, from: EVIL })
    expectCsrfFailed(withValid)
    expect(withValid.setCookies).toEqual([])
    expect(agent.cookies.size).toBe(0)
    // An old browser without Fetch Metadata is still caught by its Origin.
    const originOnly = await agent.request('POST', '/api/session/login', { json: { username: 'bob', password: 'builder-bob' }, headers: { origin: EVIL } })
    expectCsrfFailed(originOnly)
    expect(agent.backend.snapshot()).toMatchObject({ logins: 0, failedLogins: 0, liveSessions: 0 })
  })

  it('M36 a cross-site POST to /api/auth/login and /oauth/token is 403 and returns no tokens', async () => {
    const agent = inProcessAgent({}, APP)
    const jwt = await agent.request('POST', '/api/auth/login', { json: { username: 'bob', password: 'builder-bob', refreshTokenTransport: 'cookie' }, from: EVIL })
    expectCsrfFailed(jwt)
    expect(jwt.body.accessToken).toBeUndefined()
    expect(jwt.setCookies).toEqual([])
    expect(agent.backend.snapshot()).toMatchObject({ logins: 0, liveRefreshFamilies: 0 })

    const { refreshToken } = await agent.loginJwt('bob', 'builder-bob')
    const oauth = await agent.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: refreshToken! }, from: EVIL })
    expectCsrfFailed(oauth)
    expect(oauth.body.access_token).toBeUndefined()
    // Refused before the token was read: it was not rotated, and still works from the app.
    expect((await agent.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: refreshToken! } })).status).toBe(200)
  })
})

describe('CORS (M37)', () => {
  const runtimes = [
    ['in-process', async (options: MockBackendOptions) => ({ agent: inProcessAgent(options), close: async () => {} })],
    ['http', (options: MockBackendOptions) => httpAgent(options)],
  ] as const

  for (const [runtime, start] of runtimes) {
    it(`M37 a preflight from a foreign origin gets no Access-Control-Allow-Origin, never * (${runtime})`, async () => {
      const { agent, close } = await start({ trustedOrigins: ['https://admin.example.com'] })
      try {
        for (const origin of [EVIL, 'https://admin.example.com.evil', 'null']) {
          const preflight = await agent.request('OPTIONS', '/api/notes', {
            headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-xsrf-token' },
          })
          expect(preflight.status, origin).toBe(204)
          expect(preflight.headers.get('access-control-allow-origin'), origin).toBeNull()
          expect(preflight.headers.get('access-control-allow-credentials'), origin).toBeNull()
          expect(preflight.headers.get('access-control-allow-methods'), origin).toBeNull()
        }
        const simple = await agent.request('GET', '/api/me', { headers: { origin: EVIL } })
        expect(simple.headers.get('access-control-allow-origin')).toBeNull()
        expect(simple.headers.get('vary')).toContain('Origin')
      } finally {
        await close()
      }
    })

    it(`M37 a preflight from a trustedOrigins entry gets exactly that origin and Allow-Credentials: true (${runtime})`, async () => {
      const { agent, close } = await start({ trustedOrigins: ['https://admin.example.com'] })
      try {
        const preflight = await agent.request('OPTIONS', '/api/notes', {
          headers: { origin: 'https://admin.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-xsrf-token' },
        })
        expect(preflight.status).toBe(204)
        expect(preflight.headers.get('access-control-allow-origin')).toBe('https://admin.example.com')
        expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')
        expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS')
        expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/).sort()).toEqual([
          'authorization',
          'content-type',
          'dpop',
          'x-xsrf-token',
        ])
        expect(preflight.headers.get('vary')).toContain('Origin')

        const actual = await agent.request('GET', '/api/me', { headers: { origin: 'https://admin.example.com' } })
        expect(actual.status).toBe(401)
        expect(actual.headers.get('access-control-allow-origin')).toBe('https://admin.example.com')
        expect(actual.headers.get('access-control-allow-credentials')).toBe('true')
      } finally {
        await close()
      }
    })
  }
})

describe('input validation (M18), in process and over real HTTP', () => {
  const oneMegabyte = 'x'.repeat(1024 * 1024)
  const runtimes = [
    ['in-process', async () => ({ agent: inProcessAgent(), close: async () => {} })],
    ['http', () => httpAgent()],
  ] as const

  for (const [runtime, start] of runtimes) {
    describe(runtime, () => {
      let agent: Agent
      let close: () => Promise<void>
      let csrf: string

      beforeAll(async () => {
        ;({ agent, close } = await start())
        await agent.loginSession()
        csrf = agent.csrfToken!
      })
      afterAll(async () => {
        await close()
      })

      const expectError = (response: AgentResponse, status: number, code: string, label: string) => {
        expect(response.status, label).toBe(status)
        expect(response.body?.error, label).toBe(code)
        expect(typeof response.body?.error_description, label).toBe('string')
      }

      it(`M18 malformed JSON → 400 invalid_request (${runtime})`, async () => {
        for (const body of ['{"username": "alice",', '{username: alice}', 'undefined', '', '\u0000']) {
          const response = await agent.request('POST', '/api/session/login', { body, headers: { 'content-type': 'application/json' }, noCookies: true })
          expectError(response, 400, 'invalid_request', JSON.stringify(body))
        }
        for (const json of [[], 'alice', 42, null]) {
          const response = await agent.request('POST', '/api/session/login', { json, noCookies: true })
          expectError(response, 400, 'invalid_request', JSON.stringify(json))
        }
        const invalidUtf8 = await agent.request('POST', '/api/session/login', {
          body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
          headers: { 'content-type': 'application/json' },
          noCookies: true,
        })
        expectError(invalidUtf8, 400, 'invalid_request', 'invalid UTF-8')
        const brokenNote = await agent.request('POST', '/api/notes', { body: '{"text":', headers: { 'content-type': 'application/json', 'x-xsrf-token': csrf } })
        expectError(brokenNote, 400, 'invalid_request', 'note')
      })

      it(`M18 wrong content type → 415 unsupported_media_type (${runtime})`, async () => {
        const body = JSON.stringify({ username: 'alice', password: 'wonderland' })
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/jsonp', 'text/json']) {
          const response = await agent.request('POST', '/api/session/login', { body, headers: { 'content-type': type }, noCookies: true })
          expectError(response, 415, 'unsupported_media_type', type)
        }
        const tokenAsJson = await agent.request('POST', '/oauth/token', { json: { grant_type: 'refresh_token' }, noCookies: true })
        expectError(tokenAsJson, 415, 'unsupported_media_type', 'oauth json')
      })

      it(`M18 missing or mistyped fields → 400 invalid_request (${runtime})`, async () => {
        const bodies: unknown[] = [
          {},
          { username: 'alice' },
          { password: 'wonderland' },
          { username: '', password: 'wonderland' },
          { username: 42, password: 'wonderland' },
          { username: 'alice', password: ['wonderland'] },
          { username: 'a'.repeat(257), password: 'wonderland' },
          { username: 'alice', password: 'p'.repeat(1025) },
        ]
        for (const json of bodies) {
          expectError(await agent.request('POST', '/api/session/login', { json, noCookies: true }), 400, 'invalid_request', `session ${JSON.stringify(json).slice(0, 60)}`)
          expectError(await agent.request('POST', '/api/auth/login', { json, noCookies: true }), 400, 'invalid_request', `jwt ${JSON.stringify(json).slice(0, 60)}`)
        }
        const badTransport = await agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland', refreshTokenTransport: 'url' }, noCookies: true })
        expectError(badTransport, 400, 'invalid_request', 'transport')
        for (const json of [{}, { text: 5 }, { text: '   ' }, { text: 'n'.repeat(1001) }]) {
          const response = await agent.request('POST', '/api/notes', { json, headers: { 'x-xsrf-token': csrf } })
          expectError(response, 400, 'invalid_request', `note ${JSON.stringify(json).slice(0, 40)}`)
        }
        const noGrant = await agent.request('POST', '/oauth/token', { form: { username: 'alice' }, noCookies: true })
        expectError(noGrant, 400, 'invalid_request', 'oauth no grant_type')
        const oddGrant = await agent.request('POST', '/oauth/token', { form: { grant_type: 'client_credentials' }, noCookies: true })
        expectError(oddGrant, 400, 'unsupported_grant_type', 'oauth grant')
        expect((await agent.request('GET', '/api/notes')).body.notes).toEqual([])
      })

      it(`M18 a 1 MB body → 413 payload_too_large, declared or streamed (${runtime})`, async () => {
        const login = await agent.request('POST', '/api/session/login', { json: { username: 'alice', password: oneMegabyte }, noCookies: true })
        expectError(login, 413, 'payload_too_large', 'login')
        const note = await agent.request('POST', '/api/notes', { json: { text: oneMegabyte }, headers: { 'x-xsrf-token': csrf } })
        expectError(note, 413, 'payload_too_large', 'note')
        const token = await agent.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: oneMegabyte }, noCookies: true })
        expectError(token, 413, 'payload_too_large', 'oauth')

        // No Content-Length: the reader must stop at the limit, not buffer the whole stream.
        const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
        let sent = 0
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 16) return controller.close()
            sent++
            controller.enqueue(chunk)
          },
        })
        const streamed = await agent.request('POST', '/api/session/login', { body: stream, headers: { 'content-type': 'application/json' }, noCookies: true })
        expectError(streamed, 413, 'payload_too_large', 'streamed')
        // In process nothing buffers between us and the reader, so it visibly stopped pulling.
        if (runtime === 'in-process') expect(sent).toBeLessThan(16)

        // A refused body that is never read must not stall the connection for the next request.
        for (let i = 0; i < 3; i++) {
          const refused = await agent.request('POST', '/api/session/login', { body: oneMegabyte, headers: { 'content-type': 'text/plain' }, noCookies: true })
          expectError(refused, 415, 'unsupported_media_type', `refused ${i}`)
        }

        // The server is still healthy afterwards.
        expect((await agent.request('GET', '/api/me')).status).toBe(200)
      })

      it(`M18 hostile-looking inputs get a coded 4xx, never a 500 (${runtime})`, async () => {
        const responses = [
          await agent.request('POST', '/api/session/login', { body: '{', headers: { 'content-type': 'application/json; charset=utf-8' }, noCookies: true }),
          await agent.request('POST', '/api/session/login', { body: '{"username":{"$gt":""},"password":{"$gt":""}}', headers: { 'content-type': 'application/json' }, noCookies: true }),
          await agent.request('POST', '/api/session/login', { json: { username: '__proto__', password: 'constructor' }, noCookies: true }),
          await agent.request('POST', '/api/session/login', { body: '{"__proto__":{"username":"alice"},"password":"wonderland"}', headers: { 'content-type': 'application/json' }, noCookies: true }),
          await agent.request('DELETE', '/api/notes/%E0%A4%A', { headers: { 'x-xsrf-token': csrf } }),
          await agent.request('DELETE', '/api/notes/%', { headers: { 'x-xsrf-token': csrf } }),
          await agent.request('POST', '/api/me/password', { json: { currentPassword: 'wonderland', newPassword: 'short' }, headers: { 'x-xsrf-token': csrf } }),
        ]
        const statuses = responses.map((response) => response.status)
        expect(statuses).toEqual([400, 400, 401, 400, 400, 400, 400])
        for (const response of responses) expect(typeof response.body.error).toBe('string')
      })
    })
  }
})

describe('lab: the CSRF defences taken away one at a time (/__mock/csrf-defences)', () => {
  const weaken = (agent: Agent, json: Record<string, unknown>) => agent.request('POST', '/__mock/csrf-defences', { json })

  it('reports the real defences by default, and refuses bad settings with 400, changing nothing', async () => {
    const agent = inProcessAgent({}, APP)
    const defaults = { sessionCookieSameSite: 'Lax', tokenCheck: true, formBodies: false }
    expect(agent.backend.snapshot().csrfDefences).toEqual(defaults)
    for (const json of [{ sessionCookieSameSite: 'Strict' }, { sessionCookieSameSite: 'none' }, { tokenCheck: 'no' }, { formBodies: 1 }]) {
      const response = await weaken(agent, json)
      expect(response.status, JSON.stringify(json)).toBe(400)
      expect(response.body.error).toBe('invalid_request')
    }
    expect(agent.backend.snapshot().csrfDefences).toEqual(defaults)
    expect((await weaken(agent, { sessionCookieSameSite: 'None', tokenCheck: false, formBodies: true })).body.csrfDefences).toEqual({
      sessionCookieSameSite: 'None',
      tokenCheck: false,
      formBodies: true,
    })
    await agent.request('POST', '/__mock/reset')
    expect(agent.backend.snapshot().csrfDefences).toEqual(defaults)
  })

  it('SameSite=None applies to the session cookie of the next sign-in (Secure, as browsers require)', async () => {
    const agent = inProcessAgent({}, APP)
    await weaken(agent, { sessionCookieSameSite: 'None' })
    const login = await agent.request('POST', '/api/session/login', { json: { username: 'alice', password: 'wonderland' } })
    const session = login.setCookies.find((cookie) => cookie.startsWith('__Host-sid='))
    expect(session).toMatch(/; SameSite=None/)
    expect(session).toMatch(/; Secure/)
    expect(session).toMatch(/; HttpOnly/)
  })

  it('without the token check, a cookie-borne write with no token gets past CSRF; the Origin check and the JSON-only body still stand', async () => {
    const { agent, notes } = await signedInWithNote()
    await weaken(agent, { tokenCheck: false })
    expect((await agent.request('POST', '/api/notes', { json: { text: 'no token' } })).status).toBe(201)
    expectCsrfFailed(await agent.request('POST', '/api/notes', { json: { text: 'cross-site' }, from: EVIL }))
    const form = await agent.request('POST', '/api/notes', { form: { text: 'form' } })
    expect(form.status).toBe(415)
    expect(form.body.error).toBe('unsupported_media_type')
    expect(await notes()).toEqual(['original', 'no token'])
    expect(agent.backend.snapshot().responses).toMatchObject({ 'POST /api/notes 201': 2, 'POST /api/notes 403': 1, 'POST /api/notes 415': 1 })
  })

  it('with form bodies accepted too, what an HTML form sends (urlencoded or text/plain) creates a note; the token check alone would still stop it', async () => {
    const { agent, notes } = await signedInWithNote()
    await weaken(agent, { formBodies: true })
    expectCsrfFailed(await agent.request('POST', '/api/notes', { form: { text: 'stopped by the token' } }))
    await weaken(agent, { tokenCheck: false })
    expect((await agent.request('POST', '/api/notes', { form: { text: 'urlencoded' } })).status).toBe(201)
    // What <form enctype="text/plain"> with the field name '{"text":"plain","pad":"' and value '"}' sends.
    const plain = await agent.request('POST', '/api/notes', { body: '{"text":"plain","pad":"="}\r\n', headers: { 'content-type': 'text/plain' } })
    expect(plain.status).toBe(201)
    const multipart = await agent.request('POST', '/api/notes', { body: 'x', headers: { 'content-type': 'multipart/form-data; boundary=x' } })
    expect(multipart.status).toBe(415)
    expect(await notes()).toEqual(['original', 'urlencoded', 'plain'])
  })
})
