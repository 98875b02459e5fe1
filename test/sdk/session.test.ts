// A browser page for the SDK, in the Node environment: happy-dom's window, document (a real
// cookie jar for `document.cookie`) and location are installed as globals for each test. The
// `happy-dom` *environment* would also replace fetch's Request/Response with happy-dom's, which
// strip `Cookie`, `Origin` (requests) and `Set-Cookie` (responses) as a browser hides them from
// scripts; the harness plays the browser's network layer and needs them, so Node's are kept.
import { AuthError, session, type AuthEventName } from '@authlens/sdk'
import { http, HttpResponse } from 'msw'
import { Window } from 'happy-dom'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { alice, ORIGIN, sdkHarness, type SentRequest } from '../helpers/sdk-harness.ts'

type Harness = ReturnType<typeof sdkHarness>
const EVENTS: AuthEventName[] = ['login', 'logout', 'refresh', 'refresh-failed', 'expired', 'unauthorized', 'warning', 'error']

let harness: Harness | undefined
let page: Window
beforeEach(() => {
  page = new Window({ url: `${ORIGIN}/` })
  vi.stubGlobal('window', page)
  vi.stubGlobal('document', page.document)
  vi.stubGlobal('location', page.location)
})
afterEach(async () => {
  harness?.destroy()
  harness = undefined
  vi.unstubAllGlobals()
  await page.happyDOM.close()
})

/** A session client whose every request is recorded with its credentials mode and answer. */
function setup(backendOptions: Parameters<typeof sdkHarness>[0] = {}, handlers: Parameters<typeof sdkHarness>[1] = []) {
  const h = (harness = sdkHarness(backendOptions, handlers))
  const sent: { url: string; method: string; credentials: RequestCredentials; status: number; body: Record<string, unknown> | undefined }[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const response = await h.fetch(request)
    let body: Record<string, unknown> | undefined
    try {
      body = JSON.parse(await response.clone().text()) as Record<string, unknown>
    } catch {
      body = undefined
    }
    sent.push({ url: request.url, method: request.method, credentials: request.credentials, status: response.status, body })
    return response
  }
  const auth = h.client({ strategy: session(), fetch })
  const events: { name: AuthEventName; payload: unknown }[] = []
  for (const name of EVENTS) auth.on(name, (payload: unknown) => events.push({ name, payload }))
  return { h, auth, sent, events, names: () => events.map((event) => event.name) }
}

/** A recorded header, whatever its case (happy-dom's Headers keep the case they were given). */
const header = (request: SentRequest, name: string) =>
  Object.entries(request.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1]
const last = (h: Harness, method: string, url: string) => h.requests.filter((request) => request.method === method && request.url === url).at(-1)!

describe('session strategy', () => {
  it('restores as anonymous when there is no session, without announcing an expiry or a logout', async () => {
    const { auth, h, names } = setup()
    await auth.ready
    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, expiresAt: null, lastError: null })
    // No CSRF cookie on this origin: no cookie-borne sign-in can exist, so nothing is asked (and
    // no 401 lands in the console of every signed-out page load).
    expect(h.requests).toEqual([])
    expect(names()).toEqual([])
  })

  it('asks the session endpoint when a CSRF cookie hints at a sign-in, and stays anonymous when it is stale', async () => {
    document.cookie = 'XSRF-TOKEN=stale-token-from-an-ended-session; Path=/'
    const { auth, h, names } = setup()
    await auth.ready
    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, lastError: null })
    expect(h.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/session'])
    expect(names()).toEqual([])
  })

  it('restores an existing session on page load from the session endpoint', async () => {
    const first = setup()
    await first.auth.ready
    await first.auth.login(alice)
    // A reload: a new client on the same browser (same cookie jar).
    const auth = first.h.client({ strategy: session() })
    const events: string[] = []
    auth.on('expired', () => events.push('expired'))
    auth.on('logout', () => events.push('logout'))
    await auth.ready
    expect(auth.getState()).toMatchObject({ status: 'authenticated', user: { id: 'u_alice', username: 'alice' } })
    expect(typeof auth.getState().expiresAt).toBe('number')
    expect(events).toEqual([])
  })

  it('a restore that cannot reach the server ends anonymous, not stuck in authenticating', async () => {
    const { auth, names } = setup({}, [http.get('*/api/session', () => HttpResponse.error())])
    await auth.ready
    expect(auth.getState().status).toBe('anonymous')
    expect(names()).toEqual([])
  })

  it('login sets the state from /api/session/login (user and idle expiry) and sends credentials', async () => {
    const { auth, h, sent, names } = setup()
    await auth.ready
    const state = await auth.login(alice)
    const answer = sent.find((request) => request.url === `${ORIGIN}/api/session/login`)!
    expect(answer.method).toBe('POST')
    expect(answer.credentials).toBe('include')
    expect(answer.status).toBe(200)
    expect(state.status).toBe('authenticated')
    expect(state.user).toEqual({ id: 'u_alice', username: 'alice', name: 'Alice Liddell', role: 'user' })
    expect(state.user).toEqual(answer.body!.user)
    expect(state.expiresAt).toBe(Date.parse(answer.body!.expiresAt as string))
    expect(state.lastError).toBeNull()
    expect(names()).toEqual(['login'])
    // The server set an HttpOnly session cookie (the script never sees it) and a readable CSRF cookie.
    expect([...h.jar.keys()].sort()).toEqual(['XSRF-TOKEN', '__Host-sid'])
    expect(h.jar.get('__Host-sid')!.httpOnly).toBe(true)
    expect(document.cookie).not.toContain('sid=')
    expect(document.cookie).toContain(`XSRF-TOKEN=${h.jar.get('XSRF-TOKEN')!.value}`)
    // No bearer token exists in this mode.
    expect(await auth.getAccessToken()).toBeNull()
  })

  it('a failed login rejects with invalid_credentials and leaves the state anonymous', async () => {
    const { auth } = setup()
    await auth.ready
    const error = await auth.login({ username: 'alice', password: 'nope' }).catch((reason: unknown) => reason)
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).code).toBe('invalid_credentials')
    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null })
    expect(auth.getState().lastError?.code).toBe('invalid_credentials')
  })

  it('auth.fetch sends credentials (include) to baseURL only; other URLs keep the default and get nothing added', async () => {
    const { auth, h, sent } = setup()
    await auth.ready
    await auth.login(alice)

    const me = await auth.fetch('/me')
    expect(me.status).toBe(200)
    expect(((await me.json()) as { via: string }).via).toBe('session')
    const inScope = sent.find((request) => request.url === `${ORIGIN}/api/me`)!
    expect(inScope.credentials).toBe('include')
    expect(header(last(h, 'GET', `${ORIGIN}/api/me`), 'cookie')).toContain('__Host-sid=')

    await auth.fetch('https://api.partner.example/api/me')
    const foreign = sent.find((request) => request.url === 'https://api.partner.example/api/me')!
    expect(foreign.credentials).toBe('same-origin')
    const foreignSent = last(h, 'GET', 'https://api.partner.example/api/me')
    expect(header(foreignSent, 'cookie')).toBeUndefined()
    expect(header(foreignSent, 'authorization')).toBeUndefined()

    // Same origin, outside the API prefix: not widened to `include`.
    await auth.fetch(`${ORIGIN}/static/app.js`)
    expect(sent.find((request) => request.url === `${ORIGIN}/static/app.js`)!.credentials).toBe('same-origin')
    // A look-alike prefix is not inside `/api`.
    await auth.fetch(`${ORIGIN}/api-docs/index.json`)
    expect(sent.find((request) => request.url === `${ORIGIN}/api-docs/index.json`)!.credentials).toBe('same-origin')
  })

  it('S15 unsafe methods carry X-XSRF-TOKEN from the cookie; GET does not; cross-origin never', async () => {
    const { auth, h } = setup()
    await auth.ready
    await auth.login(alice)
    const csrf = h.jar.get('XSRF-TOKEN')!.value
    expect(csrf.length).toBeGreaterThan(10)

    const created = await auth.fetch('/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'hello' }) })
    expect(created.status).toBe(201)
    expect(header(last(h, 'POST', `${ORIGIN}/api/notes`), 'x-xsrf-token')).toBe(csrf)
    const { note } = (await created.json()) as { note: { id: string } }

    const list = await auth.fetch('/notes')
    expect(list.status).toBe(200)
    expect(header(last(h, 'GET', `${ORIGIN}/api/notes`), 'x-xsrf-token')).toBeUndefined()
    await auth.fetch('/notes', { method: 'HEAD' })
    expect(header(last(h, 'HEAD', `${ORIGIN}/api/notes`), 'x-xsrf-token')).toBeUndefined()

    const removed = await auth.fetch(`/notes/${note.id}`, { method: 'DELETE' })
    expect(removed.status).toBe(204)
    expect(header(last(h, 'DELETE', `${ORIGIN}/api/notes/${note.id}`), 'x-xsrf-token')).toBe(csrf)

    for (const url of ['https://api.partner.example/api/notes', 'http://localhost:8080/api/notes', `${ORIGIN}/other/notes`]) {
      await auth.fetch(url, { method: 'POST', body: '{}' })
      const request = last(h, 'POST', url)
      expect(header(request, 'x-xsrf-token'), url).toBeUndefined()
      expect(header(request, 'authorization'), url).toBeUndefined()
    }
    // The header names the cookie value as it is now: after a new login it follows the new cookie.
    await auth.login(alice)
    const rotated = h.jar.get('XSRF-TOKEN')!.value
    expect(rotated).not.toBe(csrf)
    await auth.fetch('/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"again"}' })
    expect(header(last(h, 'POST', `${ORIGIN}/api/notes`), 'x-xsrf-token')).toBe(rotated)
  })

  it('session_expired: the backend idle timeout passes → 401 → state anonymous with one expired event', async () => {
    let now = Date.now()
    const { auth, h, events, names } = setup({ now: () => now, sessionIdleTimeoutSeconds: 60 })
    await auth.ready
    await auth.login(alice)
    expect((await auth.fetch('/me')).status).toBe(200)
    now += 61_000
    const response = await auth.fetch('/me')
    expect(response.status).toBe(401)
    expect(((await response.json()) as { error: string }).error).toBe('session_expired')
    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, expiresAt: null })
    expect(names()).toEqual(['login', 'expired', 'logout', 'unauthorized'])
    expect(events[1]!.payload).toEqual({ reason: 'session_expired' })
    expect(events[2]!.payload).toEqual({ reason: 'session_expired' })
    // Once: later refusals do not repeat it, and nothing is retried.
    await auth.fetch('/me')
    expect(names().filter((name) => name === 'expired')).toHaveLength(1)
    expect(h.count('/api/me')).toBe(3)
  })

  it('session_expired found by refresh() (the session endpoint answers 401): anonymous, expired event', async () => {
    let now = Date.now()
    const { auth, names } = setup({ now: () => now, sessionIdleTimeoutSeconds: 60 })
    await auth.ready
    const signedIn = await auth.login(alice)
    now += 30_000
    await auth.refresh()
    // The session slides: refresh re-reads the new idle expiry (and says so with a 'refresh' event).
    expect(auth.getState().expiresAt).toBe(signedIn.expiresAt! + 30_000)
    now += 61_000
    await auth.refresh()
    expect(auth.getState().status).toBe('anonymous')
    expect(names()).toEqual(['login', 'refresh', 'expired', 'logout'])
  })

  it('logout deletes the session on the server (with the CSRF header) and clears the state', async () => {
    const { auth, h, names } = setup()
    await auth.ready
    await auth.login(alice)
    const csrf = h.jar.get('XSRF-TOKEN')!.value
    expect(h.backend.snapshot().liveSessions).toBe(1)
    await auth.logout()
    const request = last(h, 'POST', `${ORIGIN}/api/session/logout`)
    expect(header(request, 'x-xsrf-token')).toBe(csrf)
    expect(h.backend.snapshot().liveSessions).toBe(0)
    expect(h.jar.has('__Host-sid')).toBe(false)
    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, lastError: null })
    expect(names()).toEqual(['login', 'logout'])
    expect((await auth.fetch('/me')).status).toBe(401)
  })

  it('S31 (session) logout when the server cannot be reached: signed out locally, revocation_failed', async () => {
    const { auth, h } = setup({}, [http.post('*/api/session/logout', () => HttpResponse.error())])
    await auth.ready
    await auth.login(alice)
    const error = await auth.logout().catch((reason: unknown) => reason)
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).code).toBe('revocation_failed')
    expect(auth.getState().status).toBe('anonymous')
    expect(h.backend.snapshot().liveSessions).toBe(1)
  })
})

