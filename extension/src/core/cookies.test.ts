import { describe, expect, it } from 'vitest'
import { cookieKey, describePartition, isAuthCookie, isDeletion, isHostOnly, parseCookieHeader, parseSetCookie } from './cookies.ts'
import { makeJwt } from './testing/tokens.ts'

const NOW = Date.UTC(2026, 0, 1)

describe('parseSetCookie', () => {
  it('reads every attribute the audit needs', () => {
    const cookie = parseSetCookie('__Host-sid=abc123; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=3600', 'https://app.example.com/api/login', NOW)
    expect(cookie).toMatchObject({ name: '__Host-sid', value: 'abc123', domain: 'app.example.com', hostOnly: true, path: '/', secure: true, httpOnly: true, sameSite: 'lax', session: false })
    expect(cookie?.expirationDate).toBe(NOW / 1000 + 3600)
  })

  it('defaults: host-only, directory path, session, SameSite unspecified', () => {
    const cookie = parseSetCookie('rt=xyz', 'http://localhost:3000/api/auth/refresh', NOW)
    expect(cookie).toMatchObject({ domain: 'localhost', path: '/api/auth', session: true, sameSite: 'unspecified', secure: false, httpOnly: false })
    expect(cookie?.expirationDate).toBeUndefined()
  })

  it('Domain shares the cookie with subdomains; Max-Age wins over Expires; SameSite=None maps to no_restriction', () => {
    const cookie = parseSetCookie('a=1; Domain=example.com; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Max-Age=0; SameSite=None', 'https://app.example.com/', NOW)
    expect(cookie).toMatchObject({ domain: '.example.com', hostOnly: false, sameSite: 'no_restriction' })
    expect(cookie && isDeletion(cookie, NOW)).toBe(true)
    expect(cookie && isHostOnly(cookie)).toBe(false)
  })

  it('keeps the CHIPS partition key of a Partitioned cookie', () => {
    const cookie = parseSetCookie('__Host-embed=1; Secure; Path=/; SameSite=None; Partitioned', 'https://widget.example/', NOW, 'https://shop.example')
    expect(cookie?.partitionKey).toEqual({ topLevelSite: 'https://shop.example' })
    expect(cookie && describePartition(cookie)).toMatch(/shop\.example/)
    expect(parseSetCookie('a=1', 'https://widget.example/', NOW)?.partitionKey).toBeUndefined()
  })

  it('rejects garbage without throwing', () => {
    expect(parseSetCookie('', 'https://a.example/', NOW)).toBeNull()
    expect(parseSetCookie('a=1', 'not a url', NOW)).toBeNull()
  })
})

describe('cookie identity and classification', () => {
  it('the same name in two partitions is two cookies', () => {
    const base = { name: 'sid', domain: 'a.example', path: '/' }
    expect(cookieKey({ ...base, partitionKey: { topLevelSite: 'https://x.example' } })).not.toBe(cookieKey({ ...base, partitionKey: { topLevelSite: 'https://y.example' } }))
    expect(cookieKey(base)).toBe(cookieKey({ ...base }))
  })

  it('auth cookies: credential names or JWT values, never the CSRF cookie', () => {
    expect(isAuthCookie({ name: 'sid', value: 'x' })).toBe(true)
    expect(isAuthCookie({ name: 'prefs', value: makeJwt({ sub: 'u' }) })).toBe(true)
    expect(isAuthCookie({ name: 'XSRF-TOKEN', value: 'abc' })).toBe(false)
    expect(isAuthCookie({ name: 'theme', value: 'dark' })).toBe(false)
  })

  it('parses a Cookie request header', () => {
    expect(parseCookieHeader('a=1; sid=abc=def;  b = 2 ; junk')).toEqual([
      { name: 'a', value: '1' },
      { name: 'sid', value: 'abc=def' },
      { name: 'b', value: '2' },
    ])
  })
})
