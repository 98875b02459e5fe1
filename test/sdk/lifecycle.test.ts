// Node environment on purpose: no window, no document, no storage (S19). Browser-only parts
// (window listeners, channels) are given stand-ins where a test needs them (S18).
import { AuthError, jwt, session, type AuthClient, type AuthEventName } from '@authlens/sdk'
import { devtools } from '@authlens/sdk/devtools'
import { customStorage } from '@authlens/sdk/storage'
import { attachAuth } from '@authlens/sdk/axios'
import axios from 'axios'
import { Window } from 'happy-dom'
import { http, HttpResponse } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { alice, bob, sdkHarness } from '../helpers/sdk-harness.ts'

type Harness = ReturnType<typeof sdkHarness>

/** Captured before any test fakes them. */
const realSetTimeout = globalThis.setTimeout
const FAKE: Parameters<typeof vi.useFakeTimers>[0] = { toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }
const T0 = Date.UTC(2030, 0, 1, 9, 0, 0)
const EVENTS: AuthEventName[] = ['login', 'logout', 'refresh', 'refresh-failed', 'expired', 'unauthorized', 'storage-fallback', 'warning', 'cross-tab', 'error']

let harnesses: Harness[] = []
function start(...args: Parameters<typeof sdkHarness>) {
  const harness = sdkHarness(...args)
  harnesses.push(harness)
  return harness
}

afterEach(() => {
  for (const harness of harnesses) harness.destroy()
  harnesses = []
  vi.useRealTimers()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

interface Exchange {
  path: string
  status: number
  /** Local (client) time when the request went out. */
  at: number
  body: Record<string, unknown> | undefined
}

/**
 * The harness's fetch, wrapped: every answer is recorded with its status and parsed body (so the
 * tokens the server issued can be collected), and answers on a path can be held back on demand.
 */
function wire(harness: Harness) {
  const exchanges: Exchange[] = []
  const tokens = new Set<string>()
  const holds = new Map<string, { gate: Promise<void>; arrived: () => void }>()
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const at = Date.now()
    const response = await harness.fetch(input, init)
    let body: Record<string, unknown> | undefined
    try {
      body = JSON.parse(await response.clone().text()) as Record<string, unknown>
    } catch {
      body = undefined
    }
    for (const key of ['accessToken', 'refreshToken', 'access_token', 'refresh_token', 'csrfToken']) {
      if (typeof body?.[key] === 'string') tokens.add(body[key] as string)
    }
    exchanges.push({ path: url.pathname, status: response.status, at, body })
    const hold = holds.get(url.pathname)
    if (hold) {
      holds.delete(url.pathname)
      hold.arrived()
      await hold.gate
    }
    return response
  }
  return {
    fetch,
    exchanges,
    tokens,
    statuses: () => exchanges.map((exchange) => exchange.status),
    paths: () => exchanges.map((exchange) => exchange.path),
    /**
     * The next answer on `path` is processed by the server, then held until `release()`:
     * `arrived` resolves once the server has answered.
     */
    hold(path: string) {
      let release!: () => void
      let arrived!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      const reached = new Promise<void>((resolve) => (arrived = resolve))
      holds.set(path, { gate, arrived })
      return { release, arrived: reached }
    },
  }
}

/** Every event, in order. */
function eventLog(auth: AuthClient) {
  const events: { name: AuthEventName; payload: unknown }[] = []
  for (const name of EVENTS) auth.on(name, (payload: unknown) => events.push({ name, payload }))
  return {
    events,
    of: (name: AuthEventName) => events.filter((event) => event.name === name).map((event) => event.payload),
    names: () => events.map((event) => event.name),
  }
}

/** Resolves on the next `name` event; rejects after `ms` of real time so a test cannot hang. */
function nextEvent(auth: AuthClient, name: AuthEventName, ms = 5000) {
  return new Promise<unknown>((resolve, reject) => {
    const timer = realSetTimeout(() => reject(new Error(`no "${name}" event within ${ms} ms`)), ms)
    const off = auth.on(name, (payload: unknown) => {
      clearTimeoutReal(timer)
      off()
      resolve(payload)
    })
  })
}
const realClearTimeout = globalThis.clearTimeout
const clearTimeoutReal = (timer: ReturnType<typeof setTimeout>) => realClearTimeout(timer)

/** Lets real asynchronous work (crypto, handlers) finish: a few real macrotasks. */
const settle = async (turns = 5) => {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => realSetTimeout(resolve, 5))
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number; sub: string }

/** A Map-backed custom storage, to watch what is persisted in a Node test. */
function mapStorage() {
  const values = new Map<string, string>()
  const storage = customStorage({
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  })
  return { storage, values }
}

describe('clock skew (S10)', () => {
  for (const [label, skewMs] of [
    ['ahead of', -10 * 60_000],
    ['behind', 10 * 60_000],
  ] as const) {
    it(`S10 client clock 10 min ${label} the server: proactive refresh fires ~leeway before the server-time exp, no 401 on the wire`, async () => {
      vi.useFakeTimers(FAKE)
      vi.setSystemTime(T0)
      // Server time = client time + skew.
      const h = start({ now: () => Date.now() + skewMs, accessTokenTtlSeconds: 300 })
      const w = wire(h)
      const auth = h.client({ strategy: jwt({ leewaySeconds: 30 }), fetch: w.fetch })
      const log = eventLog(auth)
      await auth.login(alice)
      const first = (await auth.getAccessToken())!
      const exp = claims(first).exp * 1000
      // Server-time ms; in local time the refresh is due at exp - leeway - skew.
      expect(auth.getState().expiresAt).toBe(exp)
      const dueLocal = exp - 30_000 - skewMs
      expect(dueLocal - Date.now()).toBe(270_000)

      // Two seconds before it is due: nothing yet, and the token still works.
      await vi.advanceTimersByTimeAsync(dueLocal - 2000 - Date.now())
      expect(h.count('/api/auth/refresh')).toBe(0)
      expect((await auth.fetch('/me')).status).toBe(200)

      const refreshed = nextEvent(auth, 'refresh')
      await vi.advanceTimersByTimeAsync(3000)
      await refreshed
      expect(h.count('/api/auth/refresh')).toBe(1)
      const sent = w.exchanges.find((exchange) => exchange.path === '/api/auth/refresh')!
      // Fired at exp - leeway in server time (the offset is learned to one second).
      expect(sent.at + skewMs - (exp - 30_000)).toBeGreaterThanOrEqual(-1500)
      expect(sent.at + skewMs - (exp - 30_000)).toBeLessThanOrEqual(500)
      const second = (await auth.getAccessToken())!
      expect(second).not.toBe(first)

      // And again for the next token: one refresh per token lifetime, no refresh loop.
      const again = nextEvent(auth, 'refresh')
      await vi.advanceTimersByTimeAsync(claims(second).exp * 1000 - 30_000 - skewMs - Date.now() + 1000)
      await again
      expect(h.count('/api/auth/refresh')).toBe(2)
      expect((await auth.fetch('/me')).status).toBe(200)

      expect(w.statuses().filter((status) => status === 401)).toEqual([])
      expect(log.of('refresh-failed')).toEqual([])
      expect(log.of('unauthorized')).toEqual([])
    })
  }

  it('S10 control: without a learned offset a 10 min fast clock would see a fresh token as expired — the SDK does not', async () => {
    vi.useFakeTimers(FAKE)
    vi.setSystemTime(T0)
    const h = start({ now: () => Date.now() - 10 * 60_000 })
    const auth = h.client()
    await auth.login(alice)
    // A client trusting its own clock would refresh on every request here.
    for (let i = 0; i < 5; i++) expect((await auth.fetch('/me')).status).toBe(200)
    expect(h.count('/api/auth/refresh')).toBe(0)
  })
})

describe('sleep and wake (S11, S30)', () => {
  it('S11 after a sleep past exp (wall clock jumps, timers paused) the first request refreshes first; no 401 on the wire', async () => {
    vi.useFakeTimers(FAKE)
    vi.setSystemTime(T0)
    const h = start({ now: () => Date.now(), accessTokenTtlSeconds: 300 })
    const w = wire(h)
    const auth = h.client({ fetch: w.fetch })
    const log = eventLog(auth)
    await auth.login(alice)
    const before = (await auth.getAccessToken())!

    // Asleep for 20 minutes: the clock moves, the refresh timer (due at +270 s) has not run.
    vi.setSystemTime(T0 + 20 * 60_000)
    expect(vi.getTimerCount()).toBe(1)
    const seen = w.exchanges.length

    const responses = await Promise.all(Array.from({ length: 10 }, () => auth.fetch('/me')))
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200))
    const after = w.exchanges.slice(seen)
    expect(after[0]!.path).toBe('/api/auth/refresh')
    expect(after.map((exchange) => exchange.path).filter((path) => path === '/api/auth/refresh')).toHaveLength(1)
    expect(after.filter((exchange) => exchange.path === '/api/me')).toHaveLength(10)
    expect(w.statuses().filter((status) => status === 401)).toEqual([])
    const fresh = (await auth.getAccessToken())!
    expect(fresh).not.toBe(before)
    expect(claims(fresh).exp * 1000).toBe(T0 + 20 * 60_000 + 300_000)

    // The late timer, when it finally runs, finds a fresh token: no second refresh.
    await vi.advanceTimersByTimeAsync(200_000)
    await settle()
    expect(h.count('/api/auth/refresh')).toBe(1)
    expect(log.of('unauthorized')).toEqual([])
    expect(log.of('expired')).toEqual([])
  })

  it('S11 getAccessToken() after the sleep returns a refreshed token, never the expired one', async () => {
    vi.useFakeTimers(FAKE)
    vi.setSystemTime(T0)
    const h = start({ now: () => Date.now() })
    const auth = h.client()
    await auth.login(alice)
    const before = await auth.getAccessToken()
    vi.setSystemTime(T0 + 6 * 60_000)
    const token = (await auth.getAccessToken())!
    expect(token).not.toBe(before)
    expect(claims(token).exp * 1000).toBeGreaterThan(Date.now())
    expect(h.count('/api/auth/refresh')).toBe(1)
  })

  it('S30 asleep longer than the refresh token lifetime: one refresh, one session_expired on wake, no retry storm', async () => {
    vi.useFakeTimers(FAKE)
    vi.setSystemTime(T0)
    const h = start({ now: () => Date.now(), accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 900 })
    const w = wire(h)
    const { storage, values } = mapStorage()
    const auth = h.client({ strategy: jwt({ storage: storage }), fetch: w.fetch })
    const log = eventLog(auth)
    await auth.login(alice)
    expect(values.size).toBe(1)

    // Three hours asleep: access and refresh token are both long dead.
    vi.setSystemTime(T0 + 3 * 3600_000)
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => auth.fetch('/me')))
    expect(h.count('/api/auth/refresh')).toBe(1)
    expect(w.exchanges.find((exchange) => exchange.path === '/api/auth/refresh')!.body).toMatchObject({ error: 'invalid_grant', reason: 'expired' })
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected')
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(AuthError)
      expect((outcome as PromiseRejectedResult).reason.code).toBe('session_expired')
    }
    // No request went out with the dead access token.
    expect(h.count('/api/me')).toBe(0)
    expect(log.of('expired')).toEqual([{ reason: 'session_expired' }])
    expect(log.of('logout')).toEqual([{ reason: 'session_expired' }])
    expect(log.of('refresh-failed')).toHaveLength(1)
    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, expiresAt: null })
    expect(auth.getState().lastError?.code).toBe('session_expired')
    expect(values.size).toBe(0)

    // Hours pass: the stale timer fires, nothing retries.
    await vi.advanceTimersByTimeAsync(4 * 3600_000)
    await settle()
    expect(vi.getTimerCount()).toBe(0)
    expect(h.count('/api/auth/refresh')).toBe(1)
    expect(log.of('expired')).toHaveLength(1)
    // A later call fails fast, without the network.
    await expect(auth.refresh()).rejects.toMatchObject({ code: 'not_authenticated' })
    expect(h.count('/api/auth/refresh')).toBe(1)
    expect(log.of('expired')).toHaveLength(1)
  })

  it('S30 woken by the late timer (no request): the one refresh it makes ends the session once', async () => {
    vi.useFakeTimers(FAKE)
    vi.setSystemTime(T0)
    const h = start({ now: () => Date.now(), accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 900 })
    const auth = h.client()
    const log = eventLog(auth)
    await auth.login(alice)
    vi.setSystemTime(T0 + 3 * 3600_000)
    const expired = nextEvent(auth, 'expired')
    await vi.advanceTimersByTimeAsync(270_000)
    expect(await expired).toEqual({ reason: 'session_expired' })
    await settle()
    expect(auth.getState().status).toBe('anonymous')
    // Requests afterwards go out without a token and do not trigger refreshes.
    const responses = await Promise.all(Array.from({ length: 5 }, () => auth.fetch('/me')))
    expect(responses.map((response) => response.status)).toEqual(Array(5).fill(401))
    await vi.advanceTimersByTimeAsync(3600_000)
    await settle()
    expect(h.count('/api/auth/refresh')).toBe(1)
    expect(log.of('expired')).toHaveLength(1)
    expect(log.of('logout')).toEqual([{ reason: 'session_expired' }])
  })
})

describe('user actions racing a refresh (S17)', () => {
  it('S17 login as another user while a refresh is in flight: the refresh result is dropped, bob stays signed in', async () => {
    const h = start()
    const w = wire(h)
    const { storage, values } = mapStorage()
    const auth = h.client({ strategy: jwt({ storage: storage }), fetch: w.fetch })
    const log = eventLog(auth)
    await auth.login(alice)

    const held = w.hold('/api/auth/refresh')
    const refreshing = auth.refresh()
    refreshing.catch(() => undefined)
    await held.arrived
    const aliceRefreshed = w.exchanges.at(-1)!.body!.accessToken as string
    expect(claims(aliceRefreshed).sub).toBe('u_alice')

    await auth.login(bob)
    held.release()
    await expect(refreshing).rejects.toMatchObject({ code: 'not_authenticated' })

    expect(auth.getState().status).toBe('authenticated')
    expect(auth.getState().user?.sub).toBe('u_bob')
    const token = (await auth.getAccessToken())!
    expect(claims(token).sub).toBe('u_bob')
    expect(token).not.toBe(aliceRefreshed)
    expect(JSON.parse(values.values().next().value!)).toMatchObject({ accessToken: token })
    const me = (await (await auth.fetch('/me')).json()) as { user: { username: string } }
    expect(me.user.username).toBe('bob')
    // Nothing announced alice's refresh after bob signed in.
    expect(log.names().slice(log.names().lastIndexOf('login') + 1)).toEqual([])
  })

  it('S17 login while a refresh is in flight, the refresh answering first: the later login still wins', async () => {
    const h = start()
    const w = wire(h)
    const auth = h.client({ fetch: w.fetch })
    await auth.login(alice)
    const loginHeld = w.hold('/api/auth/login')
    const refreshHeld = w.hold('/api/auth/refresh')
    const refreshing = auth.refresh()
    await refreshHeld.arrived
    const signingIn = auth.login(bob)
    await loginHeld.arrived
    refreshHeld.release()
    await refreshing.catch(() => undefined)
    loginHeld.release()
    await signingIn
    expect(auth.getState().user?.sub).toBe('u_bob')
    expect(claims((await auth.getAccessToken())!).sub).toBe('u_bob')
  })

  it('S17 logout while a refresh is in flight: stays signed out, storage stays empty, nothing is sent with the new token', async () => {
    const h = start()
    const w = wire(h)
    const { storage, values } = mapStorage()
    const auth = h.client({ strategy: jwt({ storage: storage }), fetch: w.fetch })
    const log = eventLog(auth)
    await auth.login(alice)

    const held = w.hold('/api/auth/refresh')
    const refreshing = auth.refresh()
    refreshing.catch(() => undefined)
    await held.arrived
    // The server has already rotated: a new pair exists that the client must not adopt.
    const resurrected = w.exchanges.at(-1)!.body!.accessToken as string
    await auth.logout()
    expect(auth.getState().status).toBe('anonymous')
    held.release()
    await expect(refreshing).rejects.toMatchObject({ code: 'not_authenticated' })

    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, expiresAt: null })
    expect(values.size).toBe(0)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' })
    await auth.fetch('/me')
    const me = h.requests.filter((request) => request.path === '/api/me').at(-1)!
    expect(Object.keys(me.headers).map((name) => name.toLowerCase())).not.toContain('authorization')
    expect(JSON.stringify(h.requests)).not.toContain(resurrected)
    const names = log.names()
    expect(names.slice(names.indexOf('logout'))).toEqual(['logout', 'unauthorized'])
  })

  it('S17 logout while the refresh request has not even reached the server: no refresh event, still signed out', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const h = start({}, [
      http.post('*/api/auth/refresh', async () => {
        await gate
        return undefined
      }),
    ])
    const auth = h.client()
    const log = eventLog(auth)
    await auth.login(alice)
    const refreshing = auth.refresh()
    refreshing.catch(() => undefined)
    await auth.logout()
    release()
    await expect(refreshing).rejects.toBeInstanceOf(AuthError)
    expect(auth.getState().status).toBe('anonymous')
    expect(log.of('refresh')).toEqual([])
    expect(log.of('login')).toHaveLength(1)
  })
})

describe('another user signing in while a request is in flight (S32)', () => {
  it('S32 the answer sent for alice is refused once bob has signed in: user_changed, and bob gets his own data', async () => {
    const h = start()
    const w = wire(h)
    const auth = h.client({ fetch: w.fetch })
    await auth.login(alice)
    const held = w.hold('/api/me')
    const asAlice = auth.fetch('/me')
    asAlice.catch(() => undefined)
    await held.arrived
    expect(w.exchanges.at(-1)!.body).toMatchObject({ user: { username: 'alice' } })

    await auth.login(bob)
    held.release()
    await expect(asAlice).rejects.toMatchObject({ code: 'user_changed' })
    const again = (await (await auth.fetch('/me')).json()) as { user: { username: string } }
    expect(again.user.username).toBe('bob')
  })

  it('S32 through axios too; a sign-in as the same user, or a sign-out, keeps the answer', async () => {
    const h = start()
    const w = wire(h)
    const auth = h.client({ fetch: w.fetch })
    const api = attachAuth(axios.create({ baseURL: 'http://localhost/api', adapter: 'fetch', env: { fetch: w.fetch } }), auth)
    await auth.login(alice)

    let held = w.hold('/api/me')
    const asAlice = api.get('/me')
    asAlice.catch(() => undefined)
    await held.arrived
    await auth.login(bob)
    held.release()
    await expect(asAlice).rejects.toBeInstanceOf(AuthError)
    await expect(asAlice).rejects.toMatchObject({ code: 'user_changed' })

    held = w.hold('/api/me')
    const asBob = api.get<{ user: { username: string } }>('/me')
    await held.arrived
    await auth.login(bob)
    held.release()
    expect((await asBob).data.user.username).toBe('bob')

    held = w.hold('/api/me')
    const beforeLogout = auth.fetch('/me')
    await held.arrived
    await auth.logout()
    held.release()
    expect((await beforeLogout).status).toBe(200)
  })
})

describe('destroy (S18)', () => {
  it('S18 destroy() leaves no timers: the proactive refresh timer is cleared', async () => {
    vi.useFakeTimers(FAKE)
    vi.setSystemTime(T0)
    const h = start({ now: () => Date.now() })
    const auth = h.client()
    await auth.login(alice)
    expect(vi.getTimerCount()).toBe(1)
    auth.destroy()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(3600_000)
    expect(h.count('/api/auth/refresh')).toBe(0)
    // Idempotent.
    auth.destroy()
  })

  it('S18 destroy() during a refresh retry back-off leaves no timer and sends nothing more', async () => {
    vi.useFakeTimers(FAKE)
    vi.setSystemTime(T0)
    const h = start({ now: () => Date.now() })
    const auth = h.client({ strategy: jwt({ retry: { attempts: 3, baseDelayMs: 1000 } }) })
    await auth.login(alice)
    h.backend.failNextRefreshes(3, '500')
    const refreshing = auth.refresh()
    refreshing.catch(() => undefined)
    // Wait (real time) until the first attempt failed and the back-off timer is set.
    for (let i = 0; i < 100 && h.count('/api/auth/refresh') < 1; i++) await settle(1)
    await settle()
    expect(h.count('/api/auth/refresh')).toBe(1)
    auth.destroy()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(60_000)
    await settle()
    expect(h.count('/api/auth/refresh')).toBe(1)
  })

  it('S18 destroy() removes every window listener it added (wake events, devtools) and closes its channels', async () => {
    // A browser-like global for this test only: happy-dom's window, a BroadcastChannel that
    // records its instances, and minimal Web Locks and IndexedDB so cross-tab is switched on.
    const win = new Window({ url: 'http://localhost/' })
    const added: [string, unknown][] = []
    const removed: [string, unknown][] = []
    const add = win.addEventListener.bind(win)
    const remove = win.removeEventListener.bind(win)
    vi.spyOn(win, 'addEventListener').mockImplementation((type: string, listener: unknown, options?: unknown) => {
      added.push([type, listener])
      add(type, listener as never, options as never)
    })
    vi.spyOn(win, 'removeEventListener').mockImplementation((type: string, listener: unknown) => {
      removed.push([type, listener])
      remove(type, listener as never)
    })
    const channels: { name: string; closed: boolean }[] = []
    class RecordingChannel extends BroadcastChannel {
      record: { name: string; closed: boolean }
      constructor(name: string) {
        super(name)
        this.record = { name, closed: false }
        channels.push(this.record)
      }
      override close() {
        this.record.closed = true
        super.close()
      }
    }
    const databases: { closed: boolean }[] = []
    vi.stubGlobal('window', win)
    vi.stubGlobal('document', win.document)
    vi.stubGlobal('BroadcastChannel', RecordingChannel)
    vi.stubGlobal('navigator', { locks: { request: (_name: string, _options: unknown, task: () => Promise<unknown>) => task() } })
    vi.stubGlobal('indexedDB', fakeIndexedDB(databases))

    const h = start()
    const auth = h.client({ plugins: [devtools()], crossTab: true })
    await auth.ready
    await auth.login(alice)
    await auth.refresh()
    expect(channels).toHaveLength(1)
    expect(added.map(([type]) => type).sort()).toEqual(['focus', 'message', 'online', 'pageshow', 'visibilitychange'])

    auth.destroy()
    for (const listener of added) expect(removed).toContainEqual(listener)
    expect(channels.every((channel) => channel.closed)).toBe(true)
    await settle(2)
    expect(databases.length).toBeGreaterThan(0)
    expect(databases.every((database) => database.closed)).toBe(true)
    win.close()
  })
})

/** Just enough IndexedDB for the cross-tab record: one object store, get and put. */
function fakeIndexedDB(databases: { closed: boolean }[]) {
  const records = new Map<unknown, unknown>()
  const answer = (result: unknown) => {
    const request: { result: unknown; error: null; onsuccess?: () => void; onerror?: () => void } = { result, error: null }
    queueMicrotask(() => request.onsuccess?.())
    return request
  }
  return {
    open() {
      const state = { closed: false }
      databases.push(state)
      const db = {
        createObjectStore: () => undefined,
        transaction: () => ({
          objectStore: () => ({
            get: (key: unknown) => answer(records.get(key)),
            put: (value: unknown, key: unknown) => answer(void records.set(key, structuredClone(value))),
          }),
        }),
        close: () => void (state.closed = true),
      }
      return answer(db)
    },
  }
}

describe('Node and SSR (S19)', () => {
  it('S19 importing @authlens/sdk and using a client in plain Node touches no window, document or storage', async () => {
    expect(typeof window).toBe('undefined')
    expect(typeof document).toBe('undefined')
    expect(typeof localStorage).toBe('undefined')

    // Browser globals that throw when the SDK reaches for them (and record it, in case the SDK
    // swallowed the exception). Other code (MSW checks `typeof document`) sees them as absent.
    const touched: string[] = []
    for (const name of ['document', 'localStorage', 'sessionStorage', 'indexedDB', 'navigator', 'BroadcastChannel']) {
      vi.stubGlobal(name, undefined)
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          // The frame right below this getter is the code that read the global.
          const caller = (new Error().stack ?? '').split('\n')[2] ?? ''
          if (/\/sdk\/src\//.test(caller)) {
            touched.push(name)
            throw new Error(`the SDK touched ${name}`)
          }
          return undefined
        },
      })
    }

    vi.resetModules()
    const sdk = await import('@authlens/sdk')
    const { webStorage, cookieStorage } = await import('@authlens/sdk/storage')
    const { devtools: bridge } = await import('@authlens/sdk/devtools')
    expect(touched).toEqual([])

    const h = start()
    const auth = sdk.createAuthClient({ strategy: sdk.jwt(), baseURL: 'http://localhost/api', fetch: h.fetch })
    await auth.ready
    expect(auth.getState().status).toBe('anonymous')
    await auth.login(alice)
    expect((await auth.fetch('/me')).status).toBe(200)
    await auth.refresh()
    await auth.logout()
    auth.destroy()
    const session = sdk.createAuthClient({ strategy: sdk.session(), baseURL: 'http://localhost/api', fetch: h.fetch, plugins: [bridge()] })
    // Creating the opt-in storages touches nothing either: they look storage up on use.
    sdk.createAuthClient({ strategy: sdk.jwt({ storage: webStorage('localStorage') }), restore: false }).destroy()
    sdk.createAuthClient({ strategy: sdk.jwt({ storage: cookieStorage() }), restore: false }).destroy()
    await session.ready
    session.destroy()
    expect(touched).toEqual([])
  })

  it('S19 without a window no restore runs on creation (nothing is requested until asked)', async () => {
    const h = start()
    const auth = h.client({ strategy: jwt({ refreshTokenTransport: 'cookie' }) })
    await auth.ready
    expect(auth.getState().status).toBe('anonymous')
    expect(h.requests).toEqual([])
  })
})

describe('logout with a failed revocation (S31)', () => {
  it('S31 logout when the revocation request fails with a network error: local state cleared, rejects with AuthError revocation_failed', async () => {
    const h = start({}, [http.post('*/api/auth/logout', () => HttpResponse.error())])
    const { storage, values } = mapStorage()
    const auth = h.client({ strategy: jwt({ storage: storage }) })
    const log = eventLog(auth)
    await auth.login(alice)
    expect(values.size).toBe(1)

    const error = await auth.logout().then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(AuthError)
    expect(error).toMatchObject({ name: 'AuthError', code: 'revocation_failed' })
    expect(h.count('/api/auth/logout')).toBe(1)

    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, expiresAt: null })
    expect(auth.getState().lastError?.code).toBe('revocation_failed')
    expect(values.size).toBe(0)
    expect(log.of('logout')).toEqual([{ reason: 'user' }])
    expect(log.of('error').map((payload) => (payload as { error: AuthError }).error.code)).toEqual(['revocation_failed'])
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' })
    await auth.fetch('/me')
    const me = h.requests.filter((request) => request.path === '/api/me').at(-1)!
    expect(Object.keys(me.headers).map((name) => name.toLowerCase())).not.toContain('authorization')
    // The server was never told: the family is still alive there, which is what the error reports.
    expect(h.backend.snapshot().liveRefreshFamilies).toBe(1)
  })

  it('S31 logout when the revocation request hangs: aborted at timeoutMs, signed out anyway, revocation_failed', async () => {
    const h = start({}, [http.post('*/api/auth/logout', () => new Promise<never>(() => undefined))])
    const auth = h.client({ timeoutMs: 50 })
    await auth.login(alice)
    await expect(auth.logout()).rejects.toMatchObject({ code: 'revocation_failed' })
    expect(auth.getState().status).toBe('anonymous')
  })
})

describe('no token in any error, event or log line (S33)', () => {
  it('S33 across login, refresh, reuse, revocation, failures and logout, no issued token value appears in errors, events or console output', async () => {
    const faults = { refreshNetwork: false, logoutNetwork: false, echo: false }
    const h = start({}, [
      http.post('*/api/auth/refresh', async ({ request }) => {
        if (faults.refreshNetwork) return HttpResponse.error()
        if (faults.echo) {
          // A careless server that repeats the credentials in its error text.
          const body = (await request.clone().json()) as { refreshToken?: string }
          const bearer = request.headers.get('authorization') ?? ''
          return HttpResponse.json(
            { error: 'invalid_grant', error_description: `refresh token ${body.refreshToken} (with ${bearer}) is not valid` },
            { status: 400 },
          )
        }
        return undefined
      }),
      http.post('*/api/auth/logout', () => (faults.logoutNetwork ? HttpResponse.error() : undefined)),
    ])
    const w = wire(h)
    const seen: string[] = []
    const describeValue = (value: unknown): string => {
      if (value instanceof Error) return `${String(value)} ${value.message} ${value.stack ?? ''} ${JSON.stringify(value)}`
      if (typeof value === 'string') return value
      try {
        return JSON.stringify(value, (_key, inner: unknown) => (inner instanceof Error ? describeValue(inner) : inner)) ?? String(value)
      } catch {
        return String(value)
      }
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void seen.push(`console.${method}: ${args.map(describeValue).join(' ')}`))
    }
    const { storage } = mapStorage()
    const auth = h.client({ strategy: jwt({ storage: storage, retry: { attempts: 2, baseDelayMs: 1 } }), fetch: w.fetch })
    for (const name of EVENTS) auth.on(name, (payload: unknown) => void seen.push(`event ${name}: ${describeValue(payload)}`))
    const attempt = async (label: string, action: () => Promise<unknown>) => {
      try {
        await action()
      } catch (error) {
        seen.push(`${label} threw: ${describeValue(error)}`)
      }
      seen.push(`${label} state: ${describeValue(auth.getState())}`)
    }

    await attempt('bad login', () => auth.login({ username: 'alice', password: 'wrong-password' }))
    await attempt('login', () => auth.login(alice))
    await attempt('fetch', () => auth.fetch('/me'))
    await attempt('refresh', () => auth.refresh())
    // Refresh answered with an error that echoes the tokens.
    faults.echo = true
    await attempt('echoed refresh', () => auth.refresh())
    faults.echo = false
    await attempt('login again', () => auth.login(alice))
    // Server error, then network error, on refresh (the session is kept).
    h.backend.failNextRefreshes(2, '500')
    await attempt('refresh 500', () => auth.refresh())
    faults.refreshNetwork = true
    await attempt('refresh offline', () => auth.refresh())
    faults.refreshNetwork = false
    // Reuse: someone else rotates our refresh token first.
    const current = w.exchanges.filter((exchange) => exchange.status === 200 && typeof exchange.body?.refreshToken === 'string').at(-1)!.body!
    const thief = (await (
      await h.fetch('http://localhost/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      })
    ).json()) as { accessToken: string; refreshToken: string }
    expect(typeof thief.refreshToken).toBe('string')
    await attempt('reused refresh', () => auth.refresh())
    await attempt('token after reuse', () => auth.getAccessToken())
    // Revoked server-side while the server's clock has passed exp: the 401 → refresh → failure path.
    await attempt('login for revoke', () => auth.login(alice))
    h.backend.revokeUser('alice')
    h.backend.setClockOffset(400)
    await attempt('fetch after revoke', () => auth.fetch('/me'))
    h.backend.setClockOffset(0)
    // A failed revocation at logout, then a clean cycle.
    await attempt('login for logout', () => auth.login(alice))
    faults.logoutNetwork = true
    await attempt('logout offline', () => auth.logout())
    faults.logoutNetwork = false
    await attempt('final login', () => auth.login(alice))
    await attempt('final logout', () => auth.logout())
    await settle()

    // The flows really ran: each kind of failure was seen.
    const text = seen.join('\n')
    for (const code of ['invalid_credentials', 'refresh_failed', 'server_error', 'network', 'refresh_token_reused', 'revocation_failed']) {
      expect(text).toContain(`"code":"${code}"`)
    }
    expect(text).toContain('fetch after revoke threw: AuthError')
    expect(text).toContain('[redacted]')
    // Every access token, refresh token and CSRF token the server issued (and the reuse victim's).
    const issued = [...w.tokens, thief.accessToken, thief.refreshToken]
    expect(issued.length).toBeGreaterThanOrEqual(12)
    for (const token of issued) {
      const signature = token.split('.')[2]
      for (const line of seen) {
        expect(line.includes(token), `token leaked in: ${line.slice(0, 200)}`).toBe(false)
        if (signature) expect(line.includes(signature), `signature leaked in: ${line.slice(0, 200)}`).toBe(false)
      }
    }
  })
})
