import { jwt } from '@authlens/sdk'
import { http, HttpResponse } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  REFRESH_URL,
  advanceClock,
  aliceClaims,
  bearerOf,
  expectAuthError,
  freezeClock,
  gate,
  hanging,
  invalidToken,
  recordEvents,
  recordingStorage,
  refreshRecorder,
} from '../helpers/refresh-kit.ts'
import { ORIGIN, alice, sdkHarness } from '../helpers/sdk-harness.ts'

/** SECURITY.md "SDK (S)": refresh behaviour of `auth.fetch` against the mock backend. */

let harness: ReturnType<typeof sdkHarness> | undefined

afterEach(() => {
  harness?.destroy()
  harness = undefined
  vi.useRealTimers()
})


const sends = (h: ReturnType<typeof sdkHarness>, path: string) => h.requests.filter((request) => request.path === path)
const tagOf = (url: string) => new URL(url).searchParams.get('req')

describe('S1 expired access token', () => {
  it('S1: 1,000 concurrent auth.fetch calls with an expired access token cause exactly 1 refresh and all 1,000 succeed', { timeout: 60_000 }, async () => {
    freezeClock()
    harness = sdkHarness({ algorithm: 'HS256', accessTokenTtlSeconds: 60 })
    const auth = harness.client()
    await auth.login(alice)
    const expired = auth.getState().expiresAt
    advanceClock(120_000)

    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => auth.fetch(`/me?req=${i}`)))

    expect(responses.filter((response) => response.status === 200)).toHaveLength(1000)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect(harness.backend.snapshot().refreshes).toBe(1)
    // Refreshed before sending: no request went out with the expired token, none got a 401.
    const fresh = await auth.getAccessToken()
    const me = sends(harness, '/api/me')
    expect(me).toHaveLength(1000)
    expect(new Set(me.map((request) => bearerOf(request.headers)))).toEqual(new Set([fresh]))
    expect(harness.backend.snapshot().unauthorized).toBe(0)
    expect(auth.getState().status).toBe('authenticated')
    expect(auth.getState().expiresAt).toBeGreaterThan(expired!)
  })
})

describe('S2 concurrent 401s', () => {
  it('S2: 1,000 concurrent requests answered 401 invalid_token cause 1 refresh; each request is sent at most twice', { timeout: 60_000 }, async () => {
    harness = sdkHarness({ algorithm: 'HS256' })
    const auth = harness.client()
    await auth.login(alice)
    const t1 = await auth.getAccessToken()
    // The server's clock jumps past the token's expiry; the client has no way to know before the 401.
    harness.backend.setClockOffset(600)

    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => auth.fetch(`/me?req=${i}`)))

    expect(responses.filter((response) => response.status === 200)).toHaveLength(1000)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    const t2 = await auth.getAccessToken()
    expect(t2).not.toBe(t1)
    const byRequest = new Map<string, (string | undefined)[]>()
    for (const request of sends(harness, '/api/me')) {
      const tag = tagOf(request.url)!
      byRequest.set(tag, [...(byRequest.get(tag) ?? []), bearerOf(request.headers)])
    }
    expect(byRequest.size).toBe(1000)
    for (const tokens of byRequest.values()) {
      // Sent with T1 and refused: retried exactly once, with T2. Sent with T2: once.
      expect(tokens).toEqual(tokens[0] === t1 ? [t1, t2] : [t2])
    }
    const retried = [...byRequest.values()].filter((tokens) => tokens.length === 2).length
    expect(harness.backend.snapshot().unauthorized).toBe(retried)
    expect(retried).toBeGreaterThan(0)
  })

  it('S2: a retried POST is sent again with its body, and takes effect once', async () => {
    harness = sdkHarness({ algorithm: 'HS256' })
    const auth = harness.client()
    await auth.login(alice)
    harness.backend.setClockOffset(600)

    const response = await auth.fetch('/notes', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'written once' }),
    })

    expect(response.status).toBe(201)
    expect(harness.count('/api/notes')).toBe(2)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    const notes = (await (await auth.fetch('/notes')).json()) as { notes: { text: string }[] }
    expect(notes.notes.map((note) => note.text)).toEqual(['written once'])
  })
})

describe('S3 retried request refused again', () => {
  const refusing = () => http.get(`${ORIGIN}/api/always-401`, () => invalidToken())

  it('S3: the retried request gets 401 again: rejects with AuthError unauthorized, one refresh, no loop', async () => {
    harness = sdkHarness({}, [refusing()])
    const auth = harness.client()
    await auth.login(alice)
    const events = recordEvents(auth, ['unauthorized', 'refresh', 'refresh-failed'])

    const error = await expectAuthError(auth.fetch('/always-401'), 'unauthorized')

    expect(error.status).toBe(401)
    expect(harness.count('/api/always-401')).toBe(2)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect(events.named('refresh')).toHaveLength(1)
    expect(events.named('refresh-failed')).toHaveLength(0)
    expect(events.named('unauthorized')).toEqual([{ url: `${ORIGIN}/api/always-401`, status: 401 }])
    // The refresh itself worked: the user stays signed in.
    expect(auth.getState().status).toBe('authenticated')
    expect((await auth.fetch('/me')).status).toBe(200)
  })

  it('S3: 50 concurrent requests refused twice share one refresh, each sent exactly twice', async () => {
    harness = sdkHarness({}, [refusing()])
    const auth = harness.client()
    await auth.login(alice)

    const results = await Promise.allSettled(Array.from({ length: 50 }, () => auth.fetch('/always-401')))

    expect(results.every((result) => result.status === 'rejected' && (result.reason as { code?: string }).code === 'unauthorized')).toBe(true)
    expect(harness.count('/api/always-401')).toBe(100)
    expect(harness.count('/api/auth/refresh')).toBe(1)
  })
})

describe('S4 refresh endpoint answers 401', () => {
  it('S4: the refresh itself is refused: no refresh of the refresh, anonymous, refresh-failed, waiting requests rejected', async () => {
    freezeClock()
    harness = sdkHarness({ accessTokenTtlSeconds: 60 })
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter }) })
    await auth.login(alice)
    expect(storage.record()).not.toBeNull()
    const events = recordEvents(auth, ['refresh-failed', 'logout', 'expired', 'refresh'])
    harness.backend.failNextRefreshes(1, '401')
    advanceClock(120_000)

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => auth.fetch('/me')))

    for (const result of results) {
      expect(result.status).toBe('rejected')
      expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'AuthError', code: 'refresh_failed' })
    }
    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect(harness.count('/api/me')).toBe(0)
    expect(auth.getState().status).toBe('anonymous')
    expect(auth.getState().lastError?.code).toBe('refresh_failed')
    expect(events.named('refresh-failed').map((event) => event.error.code)).toEqual(['refresh_failed'])
    expect(events.named('logout')).toEqual([{ reason: 'refresh_failed' }])
    expect(events.named('expired')).toEqual([{ reason: 'token_expired' }])
    expect(events.named('refresh')).toHaveLength(0)
    expect(storage.record()).toBeNull()
    // Signed out: the next request goes out without a credential and its 401 refreshes nothing.
    const after = await auth.fetch('/me')
    expect(after.status).toBe(401)
    expect(sends(harness, '/api/me').at(-1)?.headers.authorization).toBeUndefined()
    expect(harness.count('/api/auth/refresh')).toBe(1)
  })

  it('S4: requests waiting on a 401-triggered refresh that is refused all reject with its error, none retried', async () => {
    let answered = 0
    const recorder = refreshRecorder(async () => {
      // Answer (with the injected 401) only once every request has had its 401 and is waiting.
      await vi.waitFor(() => expect(answered).toBe(10))
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
    const auth = harness.client()
    await auth.login(alice)
    const events = recordEvents(auth, ['refresh-failed', 'logout'])
    harness.backend.failNextRefreshes(1, '401')

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => auth.fetch('/me')))

    for (const result of results) {
      expect(result.status).toBe('rejected')
      expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'AuthError', code: 'refresh_failed' })
    }
    expect(recorder.calls).toHaveLength(1)
    expect(harness.count('/api/me')).toBe(10)
    expect(auth.getState().status).toBe('anonymous')
    expect(events.named('refresh-failed')).toHaveLength(1)
    expect(events.named('logout')).toEqual([{ reason: 'refresh_failed' }])
  })

  it('S4: a 401 arriving after the refresh already failed (or after logout) starts no refresh and rejects typed', async () => {
    const held = gate()
    harness = sdkHarness({}, [
      http.get(`${ORIGIN}/api/slow`, async () => {
        await held.promise
        return invalidToken()
      }),
    ])
    const auth = harness.client()
    await auth.login(alice)
    const events = recordEvents(auth, ['refresh-failed'])
    const pending = auth.fetch('/slow')
    await vi.waitFor(() => expect(harness!.count('/api/slow')).toBe(1))
    harness.backend.failNextRefreshes(1, '401')
    await expectAuthError(auth.refresh(), 'refresh_failed')

    held.open()
    // The late 401 learns why the sign-in ended (the refused refresh), and starts nothing new.
    await expectAuthError(pending, 'refresh_failed')

    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect(harness.count('/api/slow')).toBe(1)
    expect(events.named('refresh-failed')).toHaveLength(1)
    expect(auth.getState().lastError?.code).toBe('refresh_failed')

    // The same after a logout whose revocation failed, with the refresh token in an HttpOnly
    // cookie that is still valid: the request's 401 must not refresh the ended sign-in back.
    const again = gate()
    harness.destroy()
    harness = sdkHarness({}, [
      http.get(`${ORIGIN}/api/slow`, async () => {
        await again.promise
        return invalidToken()
      }),
      http.post(`${ORIGIN}/api/auth/logout`, () => HttpResponse.error()),
    ])
    const second = harness.client({ strategy: jwt({ refreshTokenTransport: 'cookie' }) })
    await second.login(alice)
    const secondEvents = recordEvents(second, ['refresh-failed', 'refresh'])
    const inFlight = second.fetch('/slow')
    await vi.waitFor(() => expect(harness!.count('/api/slow')).toBe(1))
    await expectAuthError(second.logout(), 'revocation_failed')
    again.open()
    await expectAuthError(inFlight, 'not_authenticated')
    expect(harness.count('/api/auth/refresh')).toBe(0)
    expect(secondEvents.seen).toEqual([])
    expect(second.getState().status).toBe('anonymous')
  })
})

describe('S5 refresh network error or timeout', () => {
  it('S5: a network error is retried a bounded number of times with backoff, then typed network; the session is kept', async () => {
    let offline = true
    const recorder = refreshRecorder(() => (offline ? HttpResponse.error() : undefined))
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter, retry: { attempts: 3, baseDelayMs: 40 } }) })
    await auth.login(alice)
    const before = storage.record()!
    const writes = storage.writes.length
    const events = recordEvents(auth, ['refresh-failed', 'logout', 'refresh'])

    const error = await expectAuthError(auth.refresh(), 'network')

    expect(recorder.calls).toHaveLength(3)
    const [first, second, third] = recorder.calls.map((call) => call.at)
    // Exponential backoff with jitter: base·2·[½,1] then base·4·[½,1].
    expect(second! - first!).toBeGreaterThanOrEqual(40 - 5)
    expect(third! - second!).toBeGreaterThanOrEqual(80 - 5)
    expect(error.retryable).toBe(true)
    expect(auth.getState().status).toBe('authenticated')
    expect(auth.getState().lastError?.code).toBe('network')
    expect(events.named('refresh-failed').map((event) => event.error.code)).toEqual(['network'])
    expect(events.named('logout')).toHaveLength(0)
    expect(storage.writes).toHaveLength(writes)
    expect(storage.record()).toEqual(before)
    expect(await auth.getAccessToken()).toBe(before.accessToken)
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(bearerOf(sends(harness, '/api/me').at(-1)!.headers)).toBe(before.accessToken)

    // Back online: the kept refresh token still works.
    offline = false
    await auth.refresh()
    expect(recorder.calls.at(-1)?.body.refreshToken).toBe(before.refreshToken)
    expect(events.named('refresh')).toHaveLength(1)
    expect(storage.record()?.refreshToken).not.toBe(before.refreshToken)
  })

  it('S5: a refresh that times out is retried within the budget, then typed timeout; the session is kept', async () => {
    const recorder = refreshRecorder((_, request) => hanging(request))
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter, retry: { attempts: 2, baseDelayMs: 10 } }), timeoutMs: 300 })
    await harness.backend.ready
    await auth.login(alice)
    const before = storage.record()
    const started = Date.now()

    await expectAuthError(auth.refresh(), 'timeout')

    const elapsed = Date.now() - started
    expect(recorder.calls).toHaveLength(2)
    expect(elapsed).toBeGreaterThanOrEqual(600 - 10)
    expect(elapsed).toBeLessThan(3_000)
    expect(auth.getState().status).toBe('authenticated')
    expect(storage.record()).toEqual(before)
    expect((await auth.fetch('/me')).status).toBe(200)
  })
})

describe('S6 refresh token reuse', () => {
  it('S6: refresh answered refresh_token_reused: signed out, typed error, storage cleared, family revoked', async () => {
    harness = sdkHarness()
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter }) })
    await auth.login(alice)
    const stolen = storage.record()!.refreshToken!
    // Someone else uses the refresh token first (rotation moves on without us).
    const thief = await harness.fetch(REFRESH_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: stolen }),
    })
    expect(thief.status).toBe(200)
    const thiefToken = ((await thief.json()) as { refreshToken: string }).refreshToken
    const events = recordEvents(auth, ['refresh-failed', 'logout'])

    const error = await expectAuthError(auth.refresh(), 'refresh_token_reused')

    expect(error.status).toBe(401)
    expect(harness.count('/api/auth/refresh')).toBe(2)
    expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null })
    expect(auth.getState().lastError?.code).toBe('refresh_token_reused')
    expect(events.named('refresh-failed').map((event) => event.error.code)).toEqual(['refresh_token_reused'])
    expect(events.named('logout')).toEqual([{ reason: 'refresh_token_reused' }])
    expect(storage.record()).toBeNull()
    expect(storage.removes).toBeGreaterThanOrEqual(1)
    await expectAuthError(auth.getAccessToken(), 'not_authenticated')
    // Reuse revoked the whole family: the thief's rotated token is dead too.
    expect(harness.backend.snapshot().reuseDetections).toBe(1)
    expect(harness.backend.snapshot().liveRefreshFamilies).toBe(0)
    const thiefAgain = await harness.fetch(REFRESH_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: thiefToken }),
    })
    expect(thiefAgain.status).toBe(401)
  })

  it('S6: requests waiting on a refresh answered refresh_token_reused reject with that code', async () => {
    harness = sdkHarness()
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter }) })
    await auth.login(alice)
    await harness.fetch(REFRESH_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: storage.record()!.refreshToken }),
    })
    harness.backend.setClockOffset(600)

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => auth.fetch('/me')))

    expect(results.map((result) => (result.status === 'rejected' ? (result.reason as { code: string }).code : 'ok'))).toEqual(
      Array(5).fill('refresh_token_reused'),
    )
    expect(harness.count('/api/auth/refresh')).toBe(2)
    expect(auth.getState().status).toBe('anonymous')
    expect(storage.record()).toBeNull()
  })
})

describe('S16 401 on a request sent without credentials', () => {
  it('S16: signed out, a 401 is returned to the caller and triggers no refresh (either 401 policy)', async () => {
    harness = sdkHarness()
    for (const refreshOn401 of ['invalid_token', 'any'] as const) {
      const auth = harness.client({ strategy: jwt({ refreshOn401 }) })
      const events = recordEvents(auth, ['unauthorized'])
      const response = await auth.fetch('/me')
      expect(response.status).toBe(401)
      expect(events.named('unauthorized')).toHaveLength(1)
    }
    expect(harness.count('/api/auth/refresh')).toBe(0)
    expect(sends(harness, '/api/me').every((request) => request.headers.authorization === undefined)).toBe(true)
  })

  it('S16: signed in, a 401 from outside the credential scope (no Authorization sent) triggers no refresh', async () => {
    harness = sdkHarness({}, [
      http.get(`${ORIGIN}/other/resource`, () => invalidToken()),
      http.get('https://third-party.example/resource', () => invalidToken()),
    ])
    const auth = harness.client({ strategy: jwt({ refreshOn401: 'any' }) })
    await auth.login(alice)

    expect((await auth.fetch(`${ORIGIN}/other/resource`)).status).toBe(401)
    expect((await auth.fetch('https://third-party.example/resource')).status).toBe(401)

    expect(harness.count('/other/resource')).toBe(1)
    expect(harness.count('/resource')).toBe(1)
    const outside = harness.requests.filter((request) => request.path.endsWith('/resource'))
    expect(outside.every((request) => request.headers.authorization === undefined && request.headers.cookie === undefined)).toBe(true)
    expect(harness.count('/api/auth/refresh')).toBe(0)
    expect(auth.getState().status).toBe('authenticated')
  })
})

describe('S25 401 for a token already replaced', () => {
  it('S25: a request sent with T1 refused after the refresh to T2 completed is retried with T2, no second refresh', async () => {
    const held = gate()
    const seen: (string | null)[] = []
    harness = sdkHarness({}, [
      http.get(`${ORIGIN}/api/slow`, async ({ request }) => {
        seen.push(request.headers.get('authorization'))
        if (seen.length === 1) {
          await held.promise
          return invalidToken()
        }
        return HttpResponse.json({ ok: true })
      }),
    ])
    const auth = harness.client()
    await auth.login(alice)
    const t1 = await auth.getAccessToken()

    const pending = auth.fetch('/slow')
    await vi.waitFor(() => expect(seen).toHaveLength(1))
    await auth.refresh()
    const t2 = await auth.getAccessToken()
    expect(t2).not.toBe(t1)
    held.open()
    const response = await pending

    expect(response.status).toBe(200)
    expect(seen).toEqual([`Bearer ${t1}`, `Bearer ${t2}`])
    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect(await auth.getAccessToken()).toBe(t2)
  })
})

describe('S26 which refusals trigger a refresh', () => {
  const plain401 = (challenge: string | null) =>
    http.get(`${ORIGIN}/api/plain-401`, () =>
      HttpResponse.json({ error: 'nope' }, { status: 401, headers: challenge === null ? {} : { 'WWW-Authenticate': challenge } }),
    )

  it('S26: a 403 never triggers a refresh, whatever its challenge and the 401 policy', async () => {
    harness = sdkHarness({}, [
      http.get(`${ORIGIN}/api/forbidden`, () =>
        HttpResponse.json({ error: 'invalid_token' }, { status: 403, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }),
      ),
    ])
    for (const refreshOn401 of ['invalid_token', 'any'] as const) {
      const auth = harness.client({ strategy: jwt({ refreshOn401 }) })
      await auth.login(alice)
      // alice is no admin: the mock answers 403 insufficient_scope.
      expect((await auth.fetch('/admin/users')).status).toBe(403)
      expect((await auth.fetch('/forbidden')).status).toBe(403)
    }
    expect(harness.count('/api/admin/users')).toBe(2)
    expect(harness.count('/api/forbidden')).toBe(2)
    expect(harness.count('/api/auth/refresh')).toBe(0)
  })

  it('S26: with the default policy, a 401 without Bearer error="invalid_token" is returned, not refreshed', async () => {
    for (const challenge of [null, 'Bearer realm="test"', 'Bearer realm="test", error="invalid_request"', 'Basic realm="test"']) {
      harness?.destroy()
      harness = sdkHarness({}, [plain401(challenge)])
      const auth = harness.client()
      await auth.login(alice)
      const events = recordEvents(auth, ['unauthorized'])
      const response = await auth.fetch('/plain-401')
      expect(response.status).toBe(401)
      expect(harness.count('/api/plain-401')).toBe(1)
      expect(harness.count('/api/auth/refresh')).toBe(0)
      expect(events.named('unauthorized')).toHaveLength(1)
      expect(auth.getState().status).toBe('authenticated')
    }
  })

  it('S26: with refreshOn401 "any", the same 401 refreshes once and the request is retried with the new token', async () => {
    let refused: string | null = null
    harness = sdkHarness({}, [
      http.get(`${ORIGIN}/api/plain-401`, ({ request }) => {
        const authorization = request.headers.get('authorization')
        refused ??= authorization
        return authorization === refused
          ? HttpResponse.json({ error: 'nope' }, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="test"' } })
          : HttpResponse.json({ ok: true })
      }),
    ])
    const auth = harness.client({ strategy: jwt({ refreshOn401: 'any' }) })
    await auth.login(alice)
    const t1 = await auth.getAccessToken()

    const response = await auth.fetch('/plain-401')

    expect(response.status).toBe(200)
    expect(refused).toBe(`Bearer ${t1}`)
    expect(harness.count('/api/plain-401')).toBe(2)
    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect(await auth.getAccessToken()).not.toBe(t1)
  })
})

describe('S27 refresh endpoint hangs', () => {
  it('S27: aborted at timeoutMs; all queued requests reject with timeout before a deadline; the lock is released', async () => {
    freezeClock()
    let hang = true
    const recorder = refreshRecorder((_, request) => (hang ? hanging(request) : undefined))
    harness = sdkHarness({ accessTokenTtlSeconds: 60 }, [recorder.handler(REFRESH_URL)])
    const auth = harness.client({ strategy: jwt({ retry: { attempts: 1 } }), timeoutMs: 300 })
    await harness.backend.ready
    await auth.login(alice)
    advanceClock(120_000)
    const started = performance.now()

    const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), 3_000))
    const outcome = await Promise.race([Promise.allSettled(Array.from({ length: 20 }, () => auth.fetch('/me'))), deadline])

    expect(outcome).not.toBe('deadline')
    const results = outcome as PromiseSettledResult<Response>[]
    for (const result of results) {
      expect(result.status).toBe('rejected')
      expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'AuthError', code: 'timeout' })
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(300 - 10)
    expect(performance.now() - started).toBeLessThan(2_000)
    // One refresh for all twenty, and no request sent with the expired token.
    expect(recorder.calls).toHaveLength(1)
    expect(harness.count('/api/me')).toBe(0)
    expect(auth.getState().status).toBe('authenticated')

    // Nothing is stuck: the next refresh runs and the requests go through.
    hang = false
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(recorder.calls).toHaveLength(2)
  })
})

describe('S28 refresh answered 5xx, 429 or non-JSON', () => {
  it('S28: 5xx answers are retried; success within the budget stores the new tokens once', async () => {
    harness = sdkHarness()
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter, retry: { attempts: 3, baseDelayMs: 10 } }) })
    await auth.login(alice)
    const before = storage.record()!
    const writes = storage.writes.length
    harness.backend.failNextRefreshes(2, '500')

    await auth.refresh()

    expect(harness.count('/api/auth/refresh')).toBe(3)
    expect(storage.writes).toHaveLength(writes + 1)
    expect(storage.record()?.refreshToken).not.toBe(before.refreshToken)
    expect(auth.getState().status).toBe('authenticated')
  })

  it('S28: after the budget of 5xx answers: typed server_error, tokens not overwritten, session kept', async () => {
    const recorder = refreshRecorder()
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter, retry: { attempts: 3, baseDelayMs: 10 } }) })
    await auth.login(alice)
    const before = storage.record()!
    const writes = storage.writes.length
    harness.backend.failNextRefreshes(3, '500')

    const error = await expectAuthError(auth.refresh(), 'server_error')

    expect(error.status).toBe(500)
    expect(recorder.calls).toHaveLength(3)
    expect(storage.writes).toHaveLength(writes)
    expect(storage.record()).toEqual(before)
    expect(auth.getState().status).toBe('authenticated')
    expect(await auth.getAccessToken()).toBe(before.accessToken)
    await auth.refresh()
    expect(recorder.calls.at(-1)?.body.refreshToken).toBe(before.refreshToken)
  })

  it('S28: 429 with Retry-After is retried no sooner than asked', async () => {
    const recorder = refreshRecorder((call) =>
      call === 1 ? HttpResponse.json({ error: 'too_many_attempts' }, { status: 429, headers: { 'Retry-After': '1' } }) : undefined,
    )
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const auth = harness.client({ strategy: jwt({ retry: { attempts: 3, baseDelayMs: 10 } }) })
    await auth.login(alice)

    await auth.refresh()

    expect(recorder.calls).toHaveLength(2)
    expect(recorder.calls[1]!.at - recorder.calls[0]!.at).toBeGreaterThanOrEqual(1_000 - 5)
    expect(auth.getState().status).toBe('authenticated')
  })

  it('S28: a Retry-After longer than the retry budget allows fails at once with too_many_attempts, session kept', async () => {
    const recorder = refreshRecorder(() => HttpResponse.json({ error: 'too_many_attempts' }, { status: 429, headers: { 'Retry-After': '60' } }))
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 } }) })
    await auth.login(alice)
    const before = storage.record()

    const error = await expectAuthError(auth.refresh(), 'too_many_attempts')

    expect(error.retryAfter).toBe(60)
    expect(recorder.calls).toHaveLength(1)
    expect(auth.getState().status).toBe('authenticated')
    expect(storage.record()).toEqual(before)
  })

  it('S28: non-JSON answers (HTML error page, 200 with HTML) are retried; after the budget a typed error and the session kept', async () => {
    let mode: 'html-502' | 'html-200' | 'pass' = 'html-200'
    const html = (status: number) => new HttpResponse('<html><body>Bad gateway</body></html>', { status, headers: { 'Content-Type': 'text/html' } })
    const recorder = refreshRecorder((call) => (mode === 'pass' ? undefined : mode === 'html-200' && call === 1 ? html(200) : mode === 'html-502' ? html(502) : undefined))
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter, retry: { attempts: 3, baseDelayMs: 10 } }) })
    await auth.login(alice)

    // 200 with an HTML body once, then the real answer.
    await auth.refresh()
    expect(recorder.calls).toHaveLength(2)
    const refreshed = storage.record()!

    mode = 'html-502'
    const error = await expectAuthError(auth.refresh(), 'server_error')
    expect(error.status).toBe(502)
    expect(recorder.calls).toHaveLength(5)
    expect(storage.record()).toEqual(refreshed)
    expect(auth.getState().status).toBe('authenticated')

    mode = 'pass'
    await auth.refresh()
    expect(recorder.calls.at(-1)?.body.refreshToken).toBe(refreshed.refreshToken)
  })
})

describe('S29 incomplete or malformed refresh answers', () => {
  it('S29: an answer without refreshToken keeps the previous refresh token, which is used next time', async () => {
    let strip = true
    const recorder = refreshRecorder(async () => {
      if (!strip) return undefined
      strip = false
      const accessToken = await harness!.backend.signToken(aliceClaims(Date.now()))
      return HttpResponse.json({ accessToken, tokenType: 'Bearer', expiresIn: 300 })
    })
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter }) })
    await auth.login(alice)
    const before = storage.record()!

    await auth.refresh()

    const after = storage.record()!
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(after.refreshToken).toBe(before.refreshToken)
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(bearerOf(sends(harness, '/api/me').at(-1)!.headers)).toBe(after.accessToken)

    await auth.refresh()
    expect(recorder.calls).toHaveLength(2)
    expect(recorder.calls[1]!.body.refreshToken).toBe(before.refreshToken)
    expect(storage.record()!.refreshToken).not.toBe(before.refreshToken)
    expect(harness.backend.snapshot().refreshes).toBe(1)
  })

  it('S29: a malformed accessToken is a typed invalid_response with no partial write: old access and refresh token stay in use', async () => {
    let malformed = true
    const recorder = refreshRecorder(() =>
      malformed ? HttpResponse.json({ accessToken: 'not-a-jwt', refreshToken: 'new-refresh-token-from-a-broken-answer', expiresIn: 300 }) : undefined,
    )
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter, retry: { attempts: 2, baseDelayMs: 10 } }) })
    await auth.login(alice)
    const before = storage.record()!
    const writes = storage.writes.length
    const events = recordEvents(auth, ['refresh', 'refresh-failed', 'logout'])

    await expectAuthError(auth.refresh(), 'invalid_response')

    expect(storage.writes).toHaveLength(writes)
    expect(storage.record()).toEqual(before)
    expect(auth.getState().status).toBe('authenticated')
    expect(auth.getState().lastError?.code).toBe('invalid_response')
    expect(events.named('refresh')).toHaveLength(0)
    expect(events.named('refresh-failed')).toHaveLength(1)
    expect(events.named('logout')).toHaveLength(0)
    expect(await auth.getAccessToken()).toBe(before.accessToken)
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(bearerOf(sends(harness, '/api/me').at(-1)!.headers)).toBe(before.accessToken)

    malformed = false
    const calls = recorder.calls.length
    await auth.refresh()
    expect(recorder.calls[calls]!.body.refreshToken).toBe(before.refreshToken)
  })

  it('S29: an answer with no accessToken at all is refused the same way', async () => {
    const recorder = refreshRecorder(() => HttpResponse.json({ refreshToken: 'only-a-refresh-token-and-nothing-else' }))
    harness = sdkHarness({}, [recorder.handler(REFRESH_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ storage: storage.adapter, retry: { attempts: 1 } }) })
    await auth.login(alice)
    const before = storage.record()

    await expectAuthError(auth.refresh(), 'invalid_response')

    expect(recorder.calls).toHaveLength(1)
    expect(storage.record()).toEqual(before)
    expect(auth.getState().status).toBe('authenticated')
  })
})
