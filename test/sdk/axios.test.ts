import { AuthError, jwt } from '@authlens/sdk'
import { attachAuth, detachAuth } from '@authlens/sdk/axios'
import axios, { AxiosError, type AxiosInstance } from 'axios'
import { http, HttpResponse } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { REFRESH_URL, bearerOf, invalidToken, recordingStorage, refreshRecorder } from '../helpers/refresh-kit.ts'
import { ORIGIN, alice, sdkHarness } from '../helpers/sdk-harness.ts'

/**
 * `@authlens/sdk/axios`: the client's behaviour as interceptors. In Node, axios's default http
 * adapter would bypass MSW's `getResponse`, so each instance uses the fetch adapter with the
 * harness's browser-like fetch.
 */

let harness: ReturnType<typeof sdkHarness> | undefined

afterEach(() => {
  harness?.destroy()
  harness = undefined
  vi.useRealTimers()
})

const axiosFor = (h: ReturnType<typeof sdkHarness>): AxiosInstance =>
  axios.create({ baseURL: `${ORIGIN}/api`, adapter: 'fetch', env: { fetch: h.fetch } })

const sends = (h: ReturnType<typeof sdkHarness>, path: string) => h.requests.filter((request) => request.path === path)
const interceptorCount = (instance: AxiosInstance) => {
  const count = (manager: unknown) => (manager as { handlers: unknown[] }).handlers.filter(Boolean).length
  return { request: count(instance.interceptors.request), response: count(instance.interceptors.response) }
}

describe('axios adapter', () => {
  it('attaches the bearer token to in-scope requests', async () => {
    harness = sdkHarness()
    const auth = harness.client()
    await auth.login(alice)
    const api = attachAuth(axiosFor(harness), auth)

    const response = await api.get<{ user: { username: string } }>('/me')

    expect(response.status).toBe(200)
    expect(response.data.user.username).toBe('alice')
    expect(bearerOf(sends(harness, '/api/me')[0]!.headers)).toBe(await auth.getAccessToken())
  })

  it('S14: a request to another origin (or outside baseURL) through axios carries no Authorization and no credentials', async () => {
    const seen: (string | null)[] = []
    const echo = ({ request }: { request: Request }) => {
      seen.push(request.headers.get('authorization'))
      return HttpResponse.json({ ok: true })
    }
    harness = sdkHarness({}, [http.get('https://third-party.example/data', echo), http.get(`${ORIGIN}/elsewhere`, echo)])
    const auth = harness.client()
    await auth.login(alice)
    const api = attachAuth(axiosFor(harness), auth)

    expect((await api.get('https://third-party.example/data')).status).toBe(200)
    expect((await api.get(`${ORIGIN}/elsewhere`)).status).toBe(200)
    expect((await api.get('/me')).status).toBe(200)

    expect(seen).toEqual([null, null])
    const outside = harness.requests.filter((request) => request.path === '/data' || request.path === '/elsewhere')
    expect(outside).toHaveLength(2)
    for (const request of outside) {
      expect(request.headers.authorization).toBeUndefined()
      expect(request.headers.cookie).toBeUndefined()
    }
    expect(sends(harness, '/api/me')[0]!.headers.authorization).toMatch(/^Bearer /)
  })

  it('S1: 200 concurrent requests on an expired access token refresh once, before sending', { timeout: 30_000 }, async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now())
    harness = sdkHarness({ algorithm: 'HS256', accessTokenTtlSeconds: 60 })
    const auth = harness.client()
    await auth.login(alice)
    const api = attachAuth(axiosFor(harness), auth)
    vi.setSystemTime(Date.now() + 120_000)

    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => api.get('/me', { params: { req: i } })))

    expect(responses.filter((response) => response.status === 200)).toHaveLength(200)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect(harness.count('/api/me')).toBe(200)
    const fresh = await auth.getAccessToken()
    expect(new Set(sends(harness, '/api/me').map((request) => bearerOf(request.headers)))).toEqual(new Set([fresh]))
  })

  it('S2: 200 concurrent requests answered 401 invalid_token cause one refresh; each is retried at most once', { timeout: 30_000 }, async () => {
    harness = sdkHarness({ algorithm: 'HS256' })
    const auth = harness.client()
    await auth.login(alice)
    const api = attachAuth(axiosFor(harness), auth)
    const t1 = await auth.getAccessToken()
    harness.backend.setClockOffset(600)

    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => api.get('/me', { params: { req: i } })))

    expect(responses.filter((response) => response.status === 200)).toHaveLength(200)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    const t2 = await auth.getAccessToken()
    expect(t2).not.toBe(t1)
    const byRequest = new Map<string, (string | undefined)[]>()
    for (const request of sends(harness, '/api/me')) {
      const tag = new URL(request.url).searchParams.get('req')!
      byRequest.set(tag, [...(byRequest.get(tag) ?? []), bearerOf(request.headers)])
    }
    expect(byRequest.size).toBe(200)
    for (const tokens of byRequest.values()) expect(tokens).toEqual(tokens[0] === t1 ? [t1, t2] : [t2])
    expect([...byRequest.values()].some((tokens) => tokens.length === 2)).toBe(true)
  })

  it('S2: a retried POST keeps its JSON body and takes effect once', async () => {
    harness = sdkHarness()
    const auth = harness.client()
    await auth.login(alice)
    const api = attachAuth(axiosFor(harness), auth)
    harness.backend.setClockOffset(600)

    const created = await api.post<{ note: { text: string } }>('/notes', { text: 'via axios' })

    expect(created.status).toBe(201)
    expect(created.data.note.text).toBe('via axios')
    expect(harness.count('/api/notes')).toBe(2)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    const list = await api.get<{ notes: { text: string }[] }>('/notes')
    expect(list.data.notes.map((note) => note.text)).toEqual(['via axios'])
  })

  it('S3: a request refused again after the refresh is not retried a second time and no second refresh runs; it rejects as auth.fetch does', async () => {
    harness = sdkHarness({}, [http.get(`${ORIGIN}/api/always-401`, () => invalidToken())])
    const auth = harness.client()
    await auth.login(alice)
    const api = attachAuth(axiosFor(harness), auth)
    const unauthorized: unknown[] = []
    auth.on('unauthorized', (event) => unauthorized.push(event))

    const error = await api.get('/always-401').then(
      () => undefined,
      (reason: unknown) => reason,
    )

    expect(error).toBeInstanceOf(AuthError)
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 })
    expect(unauthorized).toEqual([{ url: `${ORIGIN}/api/always-401`, status: 401 }])
    expect(harness.count('/api/always-401')).toBe(2)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect(auth.getState().status).toBe('authenticated')
  })

  it('S4: a refused refresh rejects the waiting axios requests with the typed error and signs out', async () => {
    let answered = 0
    const recorder = refreshRecorder(async () => {
      // Refuse the refresh only once all five requests have had their 401 and are waiting on it.
      await vi.waitFor(() => expect(answered).toBe(5))
      await new Promise((resolve) => setTimeout(resolve, 30))
      return undefined
    })
    harness = sdkHarness({}, [
      recorder.handler(REFRESH_URL),
      http.get(`${ORIGIN}/api/me`, () => {
        answered++
        return invalidToken()
      }),
    ])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter }) })
    await auth.login(alice)
    const api = attachAuth(axiosFor(harness), auth)
    harness.backend.failNextRefreshes(1, '401')

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => api.get('/me')))

    for (const result of results) {
      expect(result.status).toBe('rejected')
      const reason = (result as PromiseRejectedResult).reason as unknown
      expect(reason).toBeInstanceOf(AuthError)
      expect((reason as AuthError).code).toBe('refresh_failed')
    }
    expect(recorder.calls).toHaveLength(1)
    expect(harness.count('/api/me')).toBe(5)
    expect(auth.getState().status).toBe('anonymous')
    expect(storage.record()).toBeNull()
  })

  it('S26: 403 and 401 without invalid_token pass through to the caller without a refresh', async () => {
    harness = sdkHarness({}, [
      http.get(`${ORIGIN}/api/plain-401`, () => HttpResponse.json({ error: 'nope' }, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="test"' } })),
    ])
    const auth = harness.client()
    await auth.login(alice)
    const api = attachAuth(axiosFor(harness), auth)

    const unauthorized: unknown[] = []
    auth.on('unauthorized', (event) => unauthorized.push(event))
    const statusOf = (promise: Promise<unknown>) => promise.then(() => 200, (error: AxiosError) => error.response?.status)
    expect(await statusOf(api.get('/admin/users'))).toBe(403)
    expect(await statusOf(api.get('/plain-401'))).toBe(401)
    // The 401 is the app's to handle (an AxiosError), and reported like one from auth.fetch.
    expect(unauthorized).toEqual([{ url: `${ORIGIN}/api/plain-401`, status: 401 }])

    expect(harness.count('/api/admin/users')).toBe(1)
    expect(harness.count('/api/plain-401')).toBe(1)
    expect(harness.count('/api/auth/refresh')).toBe(0)
  })

  it('detachAuth removes both interceptors: no Authorization, no refresh on 401; attaching twice installs one pair', async () => {
    harness = sdkHarness()
    const auth = harness.client()
    await auth.login(alice)
    const instance = axiosFor(harness)
    const before = interceptorCount(instance)

    const api = attachAuth(attachAuth(instance, auth), auth)
    expect(api).toBe(instance)
    expect(interceptorCount(api)).toEqual({ request: before.request + 1, response: before.response + 1 })
    expect((await api.get('/me')).status).toBe(200)
    expect(sends(harness, '/api/me')[0]!.headers.authorization).toMatch(/^Bearer /)

    detachAuth(api)
    expect(interceptorCount(api)).toEqual(before)
    const status = await api.get('/me').then(
      () => 200,
      (error: AxiosError) => error.response?.status,
    )
    expect(status).toBe(401)
    expect(sends(harness, '/api/me')[1]!.headers.authorization).toBeUndefined()
    expect(harness.count('/api/me')).toBe(2)
    expect(harness.count('/api/auth/refresh')).toBe(0)
    // Detaching again is harmless.
    detachAuth(api)
    expect(interceptorCount(api)).toEqual(before)
  })
})
