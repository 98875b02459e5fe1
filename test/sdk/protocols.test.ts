import { AuthError, type CustomProtocol, type TokenResponse } from '@authlens/sdk'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { aliceClaims, bearerOf, expectAuthError, recordEvents, recordingStorage, refreshRecorder } from '../helpers/refresh-kit.ts'
import { ORIGIN, alice, sdkHarness } from '../helpers/sdk-harness.ts'

/** `protocol: 'oauth2'` against the mock's RFC 6749 token endpoint, and a custom `{ login, refresh }`. */

let harness: ReturnType<typeof sdkHarness> | undefined

afterEach(() => {
  harness?.destroy()
  harness = undefined
  vi.useRealTimers()
})

const TOKEN_URL = `${ORIGIN}/oauth/token`
const REVOKE_URL = `${ORIGIN}/oauth/revoke`

const freezeClock = () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.now())
}
const advanceClock = (ms: number) => vi.setSystemTime(Date.now() + ms)

/** A refresh_token grant sent directly, as another client would. */
const refreshGrant = (h: ReturnType<typeof sdkHarness>, refreshToken: string) =>
  h.fetch(TOKEN_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  })

describe("protocol: 'oauth2'", () => {
  it('logs in with the password grant, refreshes with the refresh_token grant, logs out by revoking (RFC 7009)', async () => {
    const token = refreshRecorder()
    const revoke = refreshRecorder()
    harness = sdkHarness({}, [token.handler(TOKEN_URL), revoke.handler(REVOKE_URL)])
    const storage = recordingStorage()
    const auth = harness.client({ protocol: 'oauth2', clientId: 'authlens-spa', storage: storage.adapter })

    const state = await auth.login(alice)

    expect(state).toMatchObject({ status: 'authenticated', user: { sub: 'u_alice' } })
    expect(token.calls.map((call) => call.body)).toEqual([{ grant_type: 'password', username: 'alice', password: 'wonderland', client_id: 'authlens-spa' }])
    const sent = harness.requests.find((request) => request.path === '/oauth/token')!
    expect(sent.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
    expect(harness.count('/api/auth/login')).toBe(0)
    const first = storage.record()!
    expect(first.refreshToken).toEqual(expect.any(String))
    expect((await auth.fetch('/me')).status).toBe(200)

    await auth.refresh()

    expect(token.calls[1]!.body).toEqual({ grant_type: 'refresh_token', refresh_token: first.refreshToken, client_id: 'authlens-spa' })
    const second = storage.record()!
    expect(second.accessToken).not.toBe(first.accessToken)
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(harness.count('/api/auth/refresh')).toBe(0)
    const me = await auth.fetch('/me')
    expect(me.status).toBe(200)
    expect(bearerOf(harness.requests.filter((request) => request.path === '/api/me').at(-1)!.headers)).toBe(second.accessToken)

    await auth.logout()

    expect(revoke.calls.map((call) => call.body)).toEqual([{ token: second.refreshToken, token_type_hint: 'refresh_token', client_id: 'authlens-spa' }])
    expect(harness.count('/api/auth/logout')).toBe(0)
    expect(auth.getState().status).toBe('anonymous')
    expect(storage.record()).toBeNull()
    // The grant is gone on the server: the revoked refresh token no longer works.
    expect(harness.backend.snapshot().liveRefreshFamilies).toBe(0)
    const replay = await refreshGrant(harness, second.refreshToken!)
    expect(replay.status).toBe(400)
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant')
  })

  it('S1 (oauth2): 100 concurrent requests on an expired access token make one refresh_token grant', async () => {
    freezeClock()
    harness = sdkHarness({ accessTokenTtlSeconds: 60 })
    const auth = harness.client({ protocol: 'oauth2' })
    await auth.login(alice)
    advanceClock(120_000)

    const responses = await Promise.all(Array.from({ length: 100 }, () => auth.fetch('/me')))

    expect(responses.filter((response) => response.status === 200)).toHaveLength(100)
    expect(harness.count('/oauth/token')).toBe(2)
    expect(harness.backend.snapshot().refreshes).toBe(1)
  })

  it('S2 (oauth2): concurrent 401 invalid_token answers make one refresh_token grant; each request retried once', async () => {
    harness = sdkHarness()
    const auth = harness.client({ protocol: 'oauth2' })
    await auth.login(alice)
    harness.backend.setClockOffset(600)

    const responses = await Promise.all(Array.from({ length: 50 }, () => auth.fetch('/me')))

    expect(responses.filter((response) => response.status === 200)).toHaveLength(50)
    expect(harness.backend.snapshot().refreshes).toBe(1)
    expect(harness.count('/api/me')).toBe(100)
  })

  it('maps §5.2 invalid_grant for the password grant to AuthError invalid_credentials', async () => {
    harness = sdkHarness()
    const auth = harness.client({ protocol: 'oauth2' })

    const error = await expectAuthError(auth.login({ username: 'alice', password: 'wrong-password' }), 'invalid_credentials')

    expect(error.status).toBe(400)
    expect(auth.getState().status).toBe('anonymous')
    expect(auth.getState().lastError?.code).toBe('invalid_credentials')
  })

  it('maps a refused refresh_token grant to refresh_failed and signs out', async () => {
    harness = sdkHarness()
    const storage = recordingStorage()
    const auth = harness.client({ protocol: 'oauth2', storage: storage.adapter })
    await auth.login(alice)
    const events = recordEvents(auth, ['refresh-failed', 'logout'])
    harness.backend.failNextRefreshes(1, '401')

    const error = await expectAuthError(auth.refresh(), 'refresh_failed')

    expect(error.status).toBe(400)
    expect(harness.count('/oauth/token')).toBe(2)
    expect(auth.getState().status).toBe('anonymous')
    expect(events.named('refresh-failed').map((event) => event.error.code)).toEqual(['refresh_failed'])
    expect(events.named('logout')).toEqual([{ reason: 'refresh_failed' }])
    expect(storage.record()).toBeNull()
  })

  it('S6 (oauth2): a reused refresh token (invalid_grant, reason refresh_token_reused) is refresh_token_reused: signed out, storage cleared', async () => {
    harness = sdkHarness()
    const storage = recordingStorage()
    const auth = harness.client({ protocol: 'oauth2', storage: storage.adapter })
    await auth.login(alice)
    expect((await refreshGrant(harness, storage.record()!.refreshToken!)).status).toBe(200)
    const events = recordEvents(auth, ['logout'])

    const error = await expectAuthError(auth.refresh(), 'refresh_token_reused')

    expect(error.status).toBe(400)
    expect(auth.getState().status).toBe('anonymous')
    expect(events.named('logout')).toEqual([{ reason: 'refresh_token_reused' }])
    expect(storage.record()).toBeNull()
    expect(harness.backend.snapshot().reuseDetections).toBe(1)
  })

  it('maps an expired grant (invalid_grant, reason expired) to session_expired', async () => {
    freezeClock()
    harness = sdkHarness({ accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 90 })
    const auth = harness.client({ protocol: 'oauth2' })
    await auth.login(alice)
    const events = recordEvents(auth, ['expired', 'logout'])
    advanceClock(120_000)

    await expectAuthError(auth.fetch('/me'), 'session_expired')

    expect(harness.backend.snapshot().refreshes).toBe(1)
    expect(harness.count('/api/me')).toBe(0)
    expect(auth.getState().status).toBe('anonymous')
    expect(events.named('expired')).toEqual([{ reason: 'session_expired' }])
    expect(events.named('logout')).toEqual([{ reason: 'session_expired' }])
  })

  it('S28 (oauth2): a 5xx from the token endpoint is retried and the session kept', async () => {
    harness = sdkHarness()
    const storage = recordingStorage()
    const auth = harness.client({ protocol: 'oauth2', storage: storage.adapter, retry: { attempts: 2, baseDelayMs: 10 } })
    await auth.login(alice)
    const before = storage.record()
    harness.backend.failNextRefreshes(2, '500')

    await expectAuthError(auth.refresh(), 'server_error')
    expect(harness.count('/oauth/token')).toBe(3)
    expect(storage.record()).toEqual(before)
    expect(auth.getState().status).toBe('authenticated')

    await auth.refresh()
    expect(storage.record()?.refreshToken).not.toBe(before?.refreshToken)
  })
})

describe('custom protocol { login, refresh }', () => {
  /** A backend the SDK knows nothing about: tokens minted with the mock's key, refresh tokens counted. */
  const customBackend = (h: () => ReturnType<typeof sdkHarness>) => {
    let issued = 0
    const mint = async (withRefresh = true): Promise<TokenResponse> => ({
      accessToken: await h().backend.signToken(aliceClaims(Date.now(), 60)),
      ...(withRefresh ? { refreshToken: `custom-refresh-${++issued}` } : {}),
    })
    const protocol = {
      login: vi.fn(async (credentials: Record<string, string>) => {
        if (credentials.password !== 'wonderland') throw new AuthError('invalid_credentials', 'custom backend refused the password', 401)
        return mint()
      }),
      refresh: vi.fn(async (_refreshToken: string | undefined) => mint()),
      logout: vi.fn(async (_tokens: { accessToken?: string; refreshToken?: string }) => undefined),
    } satisfies CustomProtocol
    return { protocol, mint }
  }

  it('signs in and refreshes through the given functions; the resulting token is used for requests', async () => {
    harness = sdkHarness()
    const { protocol } = customBackend(() => harness!)
    const storage = recordingStorage()
    const auth = harness.client({ protocol, storage: storage.adapter })

    await auth.login(alice)

    expect(protocol.login).toHaveBeenCalledExactlyOnceWith({ username: 'alice', password: 'wonderland' })
    expect(auth.getState()).toMatchObject({ status: 'authenticated', user: { sub: 'u_alice' } })
    expect(storage.record()?.refreshToken).toBe('custom-refresh-1')
    expect((await auth.fetch('/me')).status).toBe(200)
    // Nothing went to the built-in endpoints.
    expect(harness.count('/api/auth/login') + harness.count('/oauth/token')).toBe(0)

    await auth.refresh()
    await auth.refresh()

    expect(protocol.refresh.mock.calls).toEqual([['custom-refresh-1'], ['custom-refresh-2']])
    expect(storage.record()?.refreshToken).toBe('custom-refresh-3')
    expect(harness.count('/api/auth/refresh')).toBe(0)
    const me = await auth.fetch('/me')
    expect(me.status).toBe(200)
    expect(bearerOf(harness.requests.filter((request) => request.path === '/api/me').at(-1)!.headers)).toBe(storage.record()?.accessToken)

    await auth.logout()
    expect(protocol.logout).toHaveBeenCalledExactlyOnceWith({ accessToken: expect.any(String), refreshToken: 'custom-refresh-3' })
    expect(auth.getState().status).toBe('anonymous')
  })

  it('S1 (custom): 100 concurrent requests on an expired token call the custom refresh once', async () => {
    freezeClock()
    harness = sdkHarness()
    const { protocol } = customBackend(() => harness!)
    const auth = harness.client({ protocol })
    await auth.login(alice)
    advanceClock(120_000)

    const responses = await Promise.all(Array.from({ length: 100 }, () => auth.fetch('/me')))

    expect(responses.filter((response) => response.status === 200)).toHaveLength(100)
    expect(protocol.refresh).toHaveBeenCalledTimes(1)
    expect(harness.count('/api/me')).toBe(100)
  })

  it('S29 (custom): an answer without refreshToken keeps the previous one for the next refresh', async () => {
    harness = sdkHarness()
    const { protocol, mint } = customBackend(() => harness!)
    protocol.refresh.mockImplementationOnce(() => mint(false))
    const storage = recordingStorage()
    const auth = harness.client({ protocol, storage: storage.adapter })
    await auth.login(alice)

    await auth.refresh()
    expect(storage.record()?.refreshToken).toBe('custom-refresh-1')
    await auth.refresh()

    expect(protocol.refresh.mock.calls).toEqual([['custom-refresh-1'], ['custom-refresh-1']])
    expect(storage.record()?.refreshToken).toBe('custom-refresh-2')
  })

  it('typed errors from the custom functions pass through; other errors become invalid_response', async () => {
    harness = sdkHarness()
    const { protocol } = customBackend(() => harness!)
    const storage = recordingStorage()
    const auth = harness.client({ protocol, storage: storage.adapter, retry: { attempts: 2, baseDelayMs: 10 } })

    await expectAuthError(auth.login({ username: 'alice', password: 'nope' }), 'invalid_credentials')
    protocol.login.mockRejectedValueOnce(new Error('backend exploded'))
    await expectAuthError(auth.login(alice), 'invalid_response')
    expect(auth.getState().status).toBe('anonymous')

    await auth.login(alice)
    const before = storage.record()
    // An untyped failure of the refresh function is retried, then reported; the session is kept.
    protocol.refresh.mockRejectedValue(new Error('backend exploded'))
    await expectAuthError(auth.refresh(), 'invalid_response')
    expect(protocol.refresh).toHaveBeenCalledTimes(2)
    expect(auth.getState().status).toBe('authenticated')
    expect(storage.record()).toEqual(before)

    // A typed fatal failure signs out.
    protocol.refresh.mockRejectedValue(new AuthError('refresh_token_reused', 'custom backend saw reuse', 401))
    await expectAuthError(auth.refresh(), 'refresh_token_reused')
    expect(protocol.refresh).toHaveBeenCalledTimes(3)
    expect(auth.getState().status).toBe('anonymous')
    expect(storage.record()).toBeNull()
  })

  it('a custom protocol without logout signs out locally only', async () => {
    harness = sdkHarness()
    const { protocol } = customBackend(() => harness!)
    const auth = harness.client({ protocol: { login: protocol.login, refresh: protocol.refresh } })
    await auth.login(alice)

    await auth.logout()

    expect(auth.getState().status).toBe('anonymous')
    expect(harness.requests).toHaveLength(0)
  })
})
