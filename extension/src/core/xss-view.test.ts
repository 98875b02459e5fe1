import { describe, expect, it } from 'vitest'
import { createInspector } from './inspector.ts'
import { exchange } from './testing/observations.ts'
import { makeJwt } from './testing/tokens.ts'
import { cookie } from './testing/records.ts'
import { tokenId } from './identity.ts'
import { xssView } from './xss-view.ts'

describe('xssView', () => {
  it('separates what page JavaScript can read from what is HttpOnly, per cookie and per token', () => {
    const inspector = createInspector()
    const stored = makeJwt({ sub: 'a' })
    const inMemory = makeJwt({ sub: 'b' })
    const inJsCookie = makeJwt({ sub: 'c' })
    const header = makeJwt({ sub: 'd' }).split('.').slice(0, 2).join('.') + '.'
    inspector.ingest({ kind: 'storage', at: 1, area: 'localStorage', key: 'token', value: stored })
    inspector.ingest({ kind: 'storage', at: 1, area: 'localStorage', key: 'theme', value: 'dark' })
    const state = { strategy: 'jwt', status: 'authenticated', storage: 'memory', user: null, expiresAt: null, clockOffsetMs: 0, accessToken: header, hasRefreshToken: true, baseURL: '/api' } as const
    inspector.ingest({ kind: 'sdk', at: 1, message: { source: 'authlens-sdk', version: 1, id: 's-1', at: 1, type: 'state', state } })
    inspector.ingest({ kind: 'cookie', at: 1, removed: false, cookie: cookie({ name: 'jwt', value: inJsCookie, httpOnly: false }) })
    inspector.ingest({ kind: 'cookie', at: 1, removed: false, cookie: cookie({ name: 'connect.sid', value: 'session-0123456789abcdef' }) })
    inspector.ingest({ kind: 'cookie', at: 1, removed: false, cookie: cookie({ name: 'XSRF-TOKEN', value: 'csrf', httpOnly: false }) })
    inspector.ingest(exchange({ at: 2, url: 'https://a.example/api', requestHeaders: { Authorization: `Bearer ${inMemory}` } }))
    const view = xssView(inspector.snapshot())
    expect(view.storage.map((s) => [s.key, s.holdsToken])).toEqual([['token', true], ['theme', false]])
    expect(view.readableCookies.map((c) => [c.name, c.auth])).toEqual([['jwt', true], ['XSRF-TOKEN', false]])
    expect(view.httpOnlyCookies.map((c) => c.name)).toEqual(['connect.sid'])
    const exposure = Object.fromEntries(view.tokens.map((t) => [t.tokenId, t.exposure]))
    const byValue = (value: string) => tokenId(value)
    expect(exposure[byValue(stored)]).toBe('readable-persistent')
    expect(exposure[byValue(inJsCookie)]).toBe('readable-persistent')
    expect(exposure[byValue(inMemory)]).toBe('readable-in-memory')
    expect(exposure[byValue(header)]).toBe('readable-in-memory')
    expect(Object.values(exposure).filter((e) => e === 'http-only')).toEqual(['http-only'])
  })
})
