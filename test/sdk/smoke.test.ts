import { jwt } from '@authlens/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { alice, sdkHarness } from '../helpers/sdk-harness.ts'

describe('SDK smoke', () => {
  let harness = sdkHarness()
  afterEach(() => harness.destroy())

  it('signs in with a JWT, calls the API, refreshes, signs out', async () => {
    harness = sdkHarness()
    const auth = harness.client()
    const state = await auth.login(alice)
    expect(state.status).toBe('authenticated')
    expect(state.user?.sub).toBe('u_alice')
    const me = await auth.fetch('/me')
    expect(me.status).toBe(200)
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe('alice')
    await auth.refresh()
    expect(harness.count('/api/auth/refresh')).toBe(1)
    expect((await auth.fetch('/me')).status).toBe(200)
    await auth.logout()
    expect(auth.getState().status).toBe('anonymous')
    expect(harness.count('/api/auth/logout')).toBe(1)
  })

  it('refreshes once for 100 concurrent requests on an expired token', async () => {
    let now = Date.now()
    harness = sdkHarness({ now: () => now, accessTokenTtlSeconds: 60 })
    const auth = harness.client({ strategy: jwt({ leewaySeconds: 5 }) })
    await auth.login(alice)
    now += 120_000
    const responses = await Promise.all(Array.from({ length: 100 }, () => auth.fetch('/me')))
    expect(responses.every((response) => response.status === 200)).toBe(true)
    expect(harness.count('/api/auth/refresh')).toBe(1)
  })
})
