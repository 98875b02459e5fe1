// @vitest-environment happy-dom
import type { AuthClient } from '@authlens/sdk'
import { devtools } from '@authlens/sdk/devtools'
import { DEVTOOLS_PANEL_SOURCE, DEVTOOLS_SOURCE, type DevtoolsMessage } from '@authlens/sdk/devtools-protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { alice, sdkHarness } from '../helpers/sdk-harness.ts'

type Harness = ReturnType<typeof sdkHarness>
let harness: Harness | undefined

afterEach(() => {
  harness?.destroy()
  harness = undefined
  vi.restoreAllMocks()
  ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL('http://localhost:3000/')
})

/** A client whose issued tokens are collected from the answers, with window.postMessage watched. */
function setup(options: Parameters<Harness['client']>[0] = {}) {
  const h = (harness = sdkHarness())
  const issued = { access: new Set<string>(), refresh: new Set<string>() }
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await h.fetch(input, init)
    try {
      const body = JSON.parse(await response.clone().text()) as Record<string, unknown>
      if (typeof body.accessToken === 'string') issued.access.add(body.accessToken)
      if (typeof body.refreshToken === 'string') issued.refresh.add(body.refreshToken)
    } catch {
      // not JSON
    }
    return response
  }
  const post = vi.spyOn(window, 'postMessage')
  const auth = h.client({ fetch, ...options })
  /** What the SDK posted (the test's own 'hello' messages are left out). */
  const posted = () =>
    post.mock.calls
      .filter(([message]) => (message as { source?: string } | null)?.source === DEVTOOLS_SOURCE)
      .map(([message, targetOrigin]) => ({ message: message as DevtoolsMessage, targetOrigin }))
  return { h, auth, post, posted, issued }
}

/** Sign in, call the API, refresh, fail a refresh (error events), sign in again, sign out. */
async function exercise(h: Harness, auth: AuthClient) {
  await auth.ready
  await auth.login(alice)
  await auth.fetch('/me')
  await auth.refresh()
  h.backend.failNextRefreshes(1, '401')
  await auth.refresh().catch(() => undefined)
  await auth.login(alice)
  await auth.refresh()
  await auth.logout()
}

const hello = (source: unknown, data: unknown = { source: DEVTOOLS_PANEL_SOURCE, type: 'hello' }) =>
  window.dispatchEvent(new MessageEvent('message', { data, source: source as Window | null }))

describe('devtools bridge', () => {
  it('S20 no posted message contains a usable token: access tokens lose their signature, refresh tokens never appear', async () => {
    const { h, auth, posted, issued } = setup({ plugins: [devtools()] })
    await exercise(h, auth)

    const messages = posted()
    expect(issued.access.size).toBeGreaterThanOrEqual(4)
    expect(issued.refresh.size).toBe(issued.access.size)
    const kinds = messages.map(({ message }) => (message.type === 'event' ? `event:${message.event}` : 'state'))
    for (const kind of ['state', 'event:login', 'event:refresh', 'event:refresh-failed', 'event:error', 'event:logout']) expect(kinds).toContain(kind)

    for (const { message } of messages) {
      const text = JSON.stringify(message)
      for (const token of issued.access) {
        expect(text).not.toContain(token)
        expect(text).not.toContain(token.split('.')[2]!)
      }
      for (const token of issued.refresh) expect(text).not.toContain(token)
      expect(message).toMatchObject({ source: DEVTOOLS_SOURCE, version: 1, id: expect.any(String), at: expect.any(Number) })
    }

    // The state messages show each token readable but unsigned: `header.payload.`.
    const shown = messages.flatMap(({ message }) => (message.type === 'state' && message.state.accessToken ? [message.state.accessToken] : []))
    expect(shown.length).toBeGreaterThan(0)
    const unsigned = [...issued.access].map((token) => token.split('.').slice(0, 2).join('.') + '.')
    for (const token of shown) {
      expect(token.endsWith('.')).toBe(true)
      expect(token.split('.')).toHaveLength(3)
      expect(token.split('.')[2]).toBe('')
      expect(unsigned).toContain(token)
    }
    // Every token the client held was announced (unsigned), so the panel can follow refreshes.
    for (const token of unsigned) expect(shown).toContain(token)
    for (const { message } of messages) {
      if (message.type === 'state') expect(typeof message.state.hasRefreshToken).toBe('boolean')
    }
    // The final state is signed out, with no token at all.
    const last = messages.filter(({ message }) => message.type === 'state').at(-1)!.message as Extract<DevtoolsMessage, { type: 'state' }>
    expect(last.state).toMatchObject({ status: 'anonymous', accessToken: null, hasRefreshToken: false, user: null, strategy: 'jwt', storage: 'memory' })
  })

  it('S20 errors in events are posted as { code, message } only', async () => {
    const { h, auth, posted } = setup({ plugins: [devtools()] })
    await auth.ready
    await auth.login(alice)
    h.backend.failNextRefreshes(1, '401')
    await auth.refresh().catch(() => undefined)
    const failed = posted().find(({ message }) => message.type === 'event' && message.event === 'refresh-failed')!.message
    expect(failed.type === 'event' && failed.data).toEqual({ error: { code: 'refresh_failed', message: expect.any(String) } })
  })

  it('S20 with devtools off (the default) nothing is posted, whatever happens', async () => {
    const { h, auth, post } = setup()
    await exercise(h, auth)
    hello(window)
    expect(post).not.toHaveBeenCalled()
  })

  it('S20 nothing is posted after destroy(), even when work in flight finishes later', async () => {
    const { h, auth, post } = setup({ plugins: [devtools()] })
    await auth.ready
    await auth.login(alice)
    h.backend.setLatency(30)
    const refreshing = auth.refresh().catch(() => undefined)
    auth.destroy()
    const calls = post.mock.calls.length
    await refreshing
    hello(window)
    expect(post.mock.calls.length).toBe(calls)
  })

  it('S34 every postMessage names this page’s origin as targetOrigin, never "*"', async () => {
    const { h, auth, posted } = setup({ plugins: [devtools()] })
    await exercise(h, auth)
    hello(window)
    const messages = posted()
    expect(messages.length).toBeGreaterThan(10)
    for (const { targetOrigin } of messages) expect(targetOrigin).toBe('http://localhost:3000')
  })

  it('S34 the targetOrigin follows the page: https origin on an https page', async () => {
    ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL('https://app.example.test/dashboard')
    const { auth, posted } = setup({ plugins: [devtools()] })
    await auth.ready
    await auth.login(alice)
    const origins = new Set(posted().map(({ targetOrigin }) => targetOrigin))
    expect([...origins]).toEqual(['https://app.example.test'])
  })

  it("re-announces the state when the panel says 'hello' from this window, and only then", async () => {
    const { auth, posted } = setup({ plugins: [devtools()] })
    await auth.ready
    await auth.login(alice)
    const before = posted().length

    hello(window)
    const announced = posted().slice(before)
    expect(announced).toHaveLength(1)
    const message = announced[0]!.message
    expect(message.type).toBe('state')
    if (message.type !== 'state') return
    expect(message.state).toMatchObject({ status: 'authenticated', strategy: 'jwt', user: { sub: 'u_alice' }, hasRefreshToken: true })
    expect(message.state.accessToken!.endsWith('.')).toBe(true)
    expect(message.state.accessToken).toBe((await auth.getAccessToken())!.split('.').slice(0, 2).join('.') + '.')

    // Not from this window (another frame, a worker), not the panel's tag, not a hello: ignored.
    hello(null)
    hello({})
    hello(window, { source: 'someone-else', type: 'hello' })
    hello(window, { source: DEVTOOLS_PANEL_SOURCE, type: 'tokens-please' })
    hello(window, 'hello')
    hello(window, null)
    expect(posted()).toHaveLength(before + 1)
  })
})
