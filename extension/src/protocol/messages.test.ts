import { describe, expect, it } from 'vitest'
import { makeJwt } from '../core/testing/tokens.ts'
import { ALLOWED_TYPES, envelope, parseMessage } from './messages.ts'
import { prepareStorageEntries } from './storage-snapshot.ts'

const sdk = { source: 'authlens-sdk', version: 1, id: 's-1', at: 1, type: 'event', event: 'login', data: { user: { id: 'u1' } } }
const cookie = { name: 'sid', value: 'abc', domain: 'app.example.com', path: '/', secure: true, httpOnly: true, sameSite: 'lax', session: true, hostOnly: true, partitionKey: { topLevelSite: 'https://app.example.com' } }

describe('parseMessage', () => {
  it('accepts each sender\'s own messages', () => {
    const content = { ...envelope('content', 'c-1'), type: 'storage-snapshot', url: 'https://app.example.com/', entries: prepareStorageEntries('localStorage', [['token', makeJwt({ sub: 'u' })]]) }
    expect(parseMessage(content, 'content')).toMatchObject({ ok: true, message: content })
    expect(parseMessage({ ...envelope('content', 'c-2'), type: 'sdk', message: sdk }, 'content')).toMatchObject({ ok: true })
    const panel = { ...envelope('panel', 'p-1'), type: 'request-cookies', tabId: 7, url: 'https://app.example.com/' }
    expect(parseMessage(panel, 'panel')).toEqual({ ok: true, message: panel, truncated: [] })
    const worker = { ...envelope('worker', 'w-1'), type: 'cookies', tabId: 7, url: 'https://app.example.com/', cookies: [cookie] }
    expect(parseMessage(worker, 'worker')).toEqual({ ok: true, message: worker, truncated: [] })
    const forwarded = { ...envelope('worker', 'w-2'), type: 'page', tabId: 7, message: content }
    expect(parseMessage(forwarded, 'worker')).toMatchObject({ ok: true })
    const snapshot = { ...envelope('worker', 'w-3'), type: 'snapshot', tabId: 7, url: null, storage: [], sdk: [sdk] }
    expect(parseMessage(snapshot, 'worker')).toMatchObject({ ok: true })
    expect(parseMessage({ ...envelope('worker', 'w-4'), type: 'rescan' }, 'worker')).toMatchObject({ ok: true })
  })

  it('E17 a content script (which the page can reach) may not ask for cookies or state, whatever it claims to be', () => {
    const asks = ['request-cookies', 'request-snapshot', 'subscribe', 'reset', 'cookies', 'snapshot']
    for (const type of asks) {
      const honest = parseMessage({ ...envelope('content', 'x-1'), type, tabId: 1, url: 'https://app.example.com/' }, 'content')
      expect(honest.ok === false && honest.error.code, type).toBe('not-allowed')
      const spoofed = parseMessage({ ...envelope('panel', 'x-2'), type, tabId: 1, url: 'https://app.example.com/' }, 'content')
      expect(spoofed.ok === false && spoofed.error.code, type).toBe('wrong-source')
    }
    expect(ALLOWED_TYPES.content).not.toContain('request-cookies')
    expect(ALLOWED_TYPES.panel).toContain('request-cookies')
  })

  it('E17 a page message posing as the SDK cannot become an extension request', () => {
    const pagePosing = { source: 'authlens-sdk', version: 1, id: 'p-1', type: 'request-cookies', tabId: 1 }
    for (const sender of ['content', 'panel', 'worker'] as const) expect(parseMessage(pagePosing, sender).ok).toBe(false)
    const nested = parseMessage({ ...envelope('content', 'c-3'), type: 'sdk', message: { ...sdk, type: 'request-cookies' } }, 'content')
    expect(nested.ok === false && nested.error.code).toBe('invalid-field')
    const state = { strategy: 'jwt', status: 'authenticated', storage: 'memory', user: null, expiresAt: null, clockOffsetMs: 0, accessToken: 'e'.repeat(70_000), hasRefreshToken: false, baseURL: '/api' }
    const oversized = parseMessage({ ...envelope('content', 'c-4'), type: 'sdk', message: { ...sdk, type: 'state', state } }, 'content')
    expect(oversized.ok === false && oversized.error.code).toBe('invalid-field')
  })

  it('E4 malformed, huge and hostile messages are rejected or truncated, never thrown', () => {
    const cases: Array<[unknown, string]> = [
      [undefined, 'not-an-object'],
      [[1, 2], 'not-an-object'],
      [{ ...envelope('panel', 'p-1'), type: 'subscribe', tabId: -1 }, 'invalid-field'],
      [{ ...envelope('panel', 'p-1'), type: 'subscribe', tabId: 1.5 }, 'invalid-field'],
      [{ ...envelope('panel', 'p-1'), type: 'request-cookies', tabId: 1, url: 'javascript:alert(1)' }, 'invalid-field'],
      [{ ...envelope('panel', 'p-1'), type: 'request-cookies', tabId: 1, url: 'data:text/html,<img src=x onerror=alert(1)>' }, 'invalid-field'],
      [{ ...envelope('panel', 'p-1'), version: 0, type: 'subscribe', tabId: 1 }, 'wrong-version'],
      [{ ...envelope('panel', 'p-1'), type: 'format-disk', tabId: 1 }, 'unknown-type'],
      [{ ...envelope('panel', 'p-1'), type: 'subscribe', tabId: 1, padding: Array.from({ length: 250 }, () => 'x'.repeat(50_000)) }, 'too-large'],
    ]
    for (const [raw, code] of cases) {
      const result = parseMessage(raw, 'panel')
      expect(result.ok === false && result.error.code, JSON.stringify(raw)?.slice(0, 60)).toBe(code)
    }
    const badCookie = { ...envelope('worker', 'w-1'), type: 'cookies', tabId: 1, url: 'https://a.example/', cookies: [{ ...cookie, sameSite: 'sometimes' }] }
    expect(parseMessage(badCookie, 'worker')).toMatchObject({ ok: false, error: { code: 'invalid-field', detail: expect.stringMatching(/sameSite/) } })
  })

  it('E4 one 10 MB storage value is cut to 64 KiB and reported as truncated; the message still parses', () => {
    const huge = { ...envelope('content', 'c-9'), type: 'storage-changed', url: 'https://a.example/', removed: false, entry: { area: 'localStorage', key: 'blob', value: 'z'.repeat(10 * 1024 * 1024), size: 10 * 1024 * 1024 } }
    const result = parseMessage(huge, 'content')
    expect(result.ok && result.truncated).toEqual(['entry.value'])
    expect(result.ok && result.message.type === 'storage-changed' && result.message.entry.value?.length).toBe(64 * 1024)
  })
})

describe('prepareStorageEntries', () => {
  it('sends values worth inspecting within a budget; lists the rest with their size', () => {
    const entries = prepareStorageEntries('localStorage', [['token', 'abc'], ['cache', 'x'.repeat(100_000)], ['k'.repeat(2000), 'v']])
    expect(entries).toEqual([
      { area: 'localStorage', key: 'token', value: 'abc', size: 3 },
      { area: 'localStorage', key: 'cache', value: null, size: 100_000 },
    ])
    const many = prepareStorageEntries('sessionStorage', Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(60_000)] as const))
    expect(many.filter((e) => e.value !== null).length).toBe(17)
  })
})
