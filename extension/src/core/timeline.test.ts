import { describe, expect, it } from 'vitest'
import { createTokenRegistry } from './identity.ts'
import { makeJwt } from './testing/tokens.ts'
import { classifyAuthEndpoint, createRetryTracker, dueExpirations, timelineKey, type TimelineEvent } from './timeline.ts'

describe('classifyAuthEndpoint', () => {
  it('recognises login, refresh and logout requests', () => {
    expect(classifyAuthEndpoint('POST', 'https://a.example/api/auth/login')).toBe('login')
    expect(classifyAuthEndpoint('POST', 'https://a.example/api/auth/sign-in')).toBe('login')
    expect(classifyAuthEndpoint('POST', 'https://a.example/api/auth/refresh')).toBe('refresh')
    expect(classifyAuthEndpoint('POST', 'https://a.example/oauth/token', 'grant_type=refresh_token&refresh_token=x')).toBe('refresh')
    expect(classifyAuthEndpoint('POST', 'https://a.example/oauth/token', 'grant_type=password')).toBe('login')
    expect(classifyAuthEndpoint('POST', 'https://a.example/api/auth/logout')).toBe('logout')
    expect(classifyAuthEndpoint('GET', 'https://a.example/api/auth/login')).toBeNull()
    expect(classifyAuthEndpoint('POST', 'https://a.example/api/notes')).toBeNull()
    expect(classifyAuthEndpoint('POST', 'not a url')).toBeNull()
  })
})

describe('createRetryTracker', () => {
  it('detects 401 → refresh → retry on the same URL with the new token', () => {
    const tracker = createRetryTracker()
    tracker.unauthorized('GET', 'https://a.example/api/notes?page=1', 'tA', 1000)
    tracker.refreshed('tB', 1200)
    const event = tracker.request('GET', 'https://a.example/api/notes?page=1', 'tB', 1300)
    expect(event).toEqual({
      kind: 'retry-after-refresh', at: 1300, source: 'network', method: 'GET', url: 'https://a.example/api/notes?page=1',
      failedTokenId: 'tA', refreshedTokenId: 'tB', unauthorizedAt: 1000, refreshedAt: 1200,
    })
    expect(tracker.request('GET', 'https://a.example/api/notes?page=1', 'tB', 1400)).toBeNull()
  })

  it('no sequence without a refresh, with the same token, on another URL, or outside the window', () => {
    const tracker = createRetryTracker(5000)
    tracker.unauthorized('GET', 'https://a.example/api/notes', 'tA', 1000)
    expect(tracker.request('GET', 'https://a.example/api/notes', 'tA', 1100)).toBeNull()
    expect(tracker.request('GET', 'https://a.example/api/notes', 'tC', 1100)).toBeNull()
    tracker.refreshed('tB', 1200)
    expect(tracker.request('GET', 'https://a.example/api/other', 'tB', 1300)).toBeNull()
    expect(tracker.request('GET', 'https://a.example/api/notes', 'tB', 9000)).toBeNull()
  })
})

describe('dueExpirations', () => {
  it('reports exp passing once, on the server-corrected clock', () => {
    const registry = createTokenRegistry()
    const token = registry.record({ value: makeJwt({ sub: 'u', exp: 100 }), place: { source: 'local-storage', key: 'token' }, direction: 'stored', at: 1 }).token
    expect(dueExpirations([token], 0, 99_000, null)).toEqual([])
    expect(dueExpirations([token], 99_000, 100_000, null)).toEqual([{ kind: 'expired', at: 100_000, source: 'clock', tokenId: token.id }])
    expect(dueExpirations([token], 100_000, 200_000, null)).toEqual([])
    // Server 30 s ahead: the token stops working 30 s earlier on the local clock.
    expect(dueExpirations([token], 60_000, 70_000, { offsetMs: 30_000, uncertaintyMs: 500, samples: 1 })).toHaveLength(1)
  })
})

describe('timelineKey', () => {
  it('gives the same key to the same event and different keys to different ones', () => {
    const a: TimelineEvent = { kind: 'sdk-event', at: 1, source: 'sdk', messageId: 'm1', name: 'login', data: {} }
    const b: TimelineEvent = { ...a, at: 2 }
    const c: TimelineEvent = { ...a, messageId: 'm2' }
    expect(timelineKey(a)).toBe(timelineKey(b))
    expect(timelineKey(a)).not.toBe(timelineKey(c))
    expect(timelineKey({ kind: 'expired', at: 1, source: 'clock', tokenId: 't1' })).toBe('expired:t1')
  })
})
