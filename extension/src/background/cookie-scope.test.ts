import { describe, expect, it } from 'vitest'
import { cookieBelongsToHost, hostOf, toCookieRecord } from './cookie-scope.ts'

describe('cookie scope', () => {
  it('matches host-only, parent-domain and subdomain cookies, nothing else', () => {
    expect(cookieBelongsToHost({ domain: 'app.example.com' }, 'app.example.com')).toBe(true)
    expect(cookieBelongsToHost({ domain: '.example.com' }, 'app.example.com')).toBe(true)
    expect(cookieBelongsToHost({ domain: 'api.app.example.com' }, 'app.example.com')).toBe(true)
    expect(cookieBelongsToHost({ domain: 'example.org' }, 'app.example.com')).toBe(false)
    expect(cookieBelongsToHost({ domain: 'notexample.com' }, 'example.com')).toBe(false)
  })

  it('reads hosts of web URLs only', () => {
    expect(hostOf('https://app.example.com/x')).toBe('app.example.com')
    expect(hostOf('chrome://settings')).toBeNull()
    expect(hostOf('not a url')).toBeNull()
    expect(hostOf(null)).toBeNull()
  })

  it('keeps CHIPS partition keys and drops storeId', () => {
    const record = toCookieRecord({
      name: 'pref', value: '1', domain: 'widget.example', hostOnly: true, path: '/', secure: true, httpOnly: false, sameSite: 'no_restriction', session: false,
      expirationDate: 2_000_000_000, storeId: '0', partitionKey: { topLevelSite: 'https://news.example', hasCrossSiteAncestor: false },
    })
    expect(record).toEqual({ name: 'pref', value: '1', domain: 'widget.example', hostOnly: true, path: '/', secure: true, httpOnly: false, sameSite: 'no_restriction', session: false, expirationDate: 2_000_000_000, partitionKey: { topLevelSite: 'https://news.example', hasCrossSiteAncestor: false } })
  })
})
