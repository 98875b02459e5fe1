import type { DevtoolsMessage } from '@authlens/sdk/devtools-protocol'
import { describe, expect, it } from 'vitest'
import { listenToSdk } from './sdk-listener.ts'

/** Just enough of a window: listeners, and messages with a chosen `source`. */
function fakeWindow() {
  const listeners = new Set<(e: MessageEvent) => void>()
  const target = {
    addEventListener: (_: string, l: (e: MessageEvent) => void) => listeners.add(l),
    removeEventListener: (_: string, l: (e: MessageEvent) => void) => listeners.delete(l),
  }
  const post = (data: unknown, source: unknown = target) => listeners.forEach((l) => l({ data, source } as MessageEvent))
  return { window: target as unknown as Window, post, listeners }
}

const state = (id: string, accessToken: string | null = null) => ({
  source: 'authlens-sdk',
  version: 1,
  id,
  type: 'state',
  at: 1,
  state: { strategy: 'jwt', status: 'authenticated', storage: 'memory', user: { sub: 'u1' }, expiresAt: null, clockOffsetMs: 0, accessToken, hasRefreshToken: false, baseURL: '/api' },
})

describe('listenToSdk', () => {
  it('takes only messages the page posted to itself, validated', () => {
    const page = fakeWindow()
    const got: DevtoolsMessage[] = []
    listenToSdk(page.window, { onMessage: (m) => got.push(m) })
    page.post(state('a'))
    page.post(state('from-a-frame'), {})
    page.post({ source: 'authlens-devtools', type: 'hello' })
    page.post({ ...state('bad'), state: { strategy: 'magic' } })
    page.post('not an object')
    expect(got.map((m) => m.id)).toEqual(['a'])
  })

  it('E4 a hostile page: 10 MB messages refused, signatures stripped, floods cut off', () => {
    const page = fakeWindow()
    const got: DevtoolsMessage[] = []
    let now = 0
    listenToSdk(page.window, { onMessage: (m) => got.push(m), maxPerSecond: 5, now: () => now })
    page.post({ ...state('huge'), padding: Array.from({ length: 200 }, () => 'x'.repeat(50_000)) })
    page.post(state('signed', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl'))
    expect(got.map((m) => m.id)).toEqual(['signed'])
    expect(got[0]?.type === 'state' && got[0].state.accessToken).toBe('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.')
    for (let i = 0; i < 20; i++) page.post(state(`flood-${i}`))
    // Five per second, the refused one included: validating costs too.
    expect(got.map((m) => m.id)).toEqual(['signed', 'flood-0', 'flood-1', 'flood-2'])
    now = 1500
    page.post(state('next-second'))
    expect(got.at(-1)?.id).toBe('next-second')
  })

  it('stops listening when asked', () => {
    const page = fakeWindow()
    const stop = listenToSdk(page.window, { onMessage: () => undefined })
    stop()
    expect(page.listeners.size).toBe(0)
  })
})
