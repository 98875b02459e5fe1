import { AuthError, customLogin, jwt, type LoginProtocol, type TokenResponse } from '@authlens/sdk'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { advanceClock, aliceClaims, bearerOf, expectAuthError, freezeClock, recordingStorage } from '../helpers/refresh-kit.ts'
import { alice, sdkHarness } from '../helpers/sdk-harness.ts'

/** `jwt({ login: customLogin({ login, refresh, logout? }) })`: your own backend behind the SDK's refresh machinery. */

let harness: ReturnType<typeof sdkHarness> | undefined

afterEach(() => {
  harness?.destroy()
  harness = undefined
  vi.useRealTimers()
})


describe('customLogin({ login, refresh })', () => {
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
    } satisfies LoginProtocol
    return { protocol, mint }
  }

  it('signs in and refreshes through the given functions; the resulting token is used for requests', async () => {
    harness = sdkHarness()
    const { protocol } = customBackend(() => harness!)
    const storage = recordingStorage()
    const auth = harness.client({ strategy: jwt({ login: customLogin(protocol), storage: storage.adapter }) })

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
    expect(protocol.logout).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ accessToken: expect.any(String), refreshToken: 'custom-refresh-3' }))
    expect(auth.getState().status).toBe('anonymous')
  })

  it('S1 (custom): 100 concurrent requests on an expired token call the custom refresh once', async () => {
    freezeClock()
    harness = sdkHarness()
    const { protocol } = customBackend(() => harness!)
    const auth = harness.client({ strategy: jwt({ login: customLogin(protocol) }) })
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
    const auth = harness.client({ strategy: jwt({ login: customLogin(protocol), storage: storage.adapter }) })
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
    const auth = harness.client({ strategy: jwt({ login: customLogin(protocol), storage: storage.adapter, retry: { attempts: 2, baseDelayMs: 10 } }) })

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
    const auth = harness.client({ strategy: jwt({ login: customLogin({ login: protocol.login, refresh: protocol.refresh }) }) })
    await auth.login(alice)

    await auth.logout()

    expect(auth.getState().status).toBe('anonymous')
    expect(harness.requests).toHaveLength(0)
  })
})
