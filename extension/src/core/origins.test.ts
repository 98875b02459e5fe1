import { describe, expect, it } from 'vitest'
import { isLoopbackHost, isSameSite, parseUrl, siteOf } from './origins.ts'

const u = (s: string) => parseUrl(s) as URL

describe('origins', () => {
  it('recognises loopback hosts only', () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]']) expect(isLoopbackHost(host), host).toBe(true)
    for (const host of ['example.com', '10.0.0.1', '192.168.1.10', 'localhost.example.com', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false)
  })

  it('draws sites with the Public Suffix List, not the last labels', () => {
    expect(siteOf('api.app.example.com')).toBe('example.com')
    expect(siteOf('www.shop.co.uk')).toBe('shop.co.uk')
    // Suffixes the two-label guess got wrong: three-label public suffixes and private registries.
    expect(siteOf('www.city.kawasaki.jp')).toBe('city.kawasaki.jp')
    expect(siteOf('alice.github.io')).toBe('alice.github.io')
    expect(siteOf('my-app.herokuapp.com')).toBe('my-app.herokuapp.com')
    expect(siteOf('10.0.0.1')).toBe('10.0.0.1')
    expect(siteOf('intranet')).toBe('intranet')
  })

  it('E9 tells first-party APIs from other sites', () => {
    expect(isSameSite(u('https://app.example.com'), u('https://api.example.com'))).toBe(true)
    expect(isSameSite(u('https://www.example.co.uk'), u('https://api.example.co.uk'))).toBe(true)
    expect(isSameSite(u('https://app.example.com'), u('https://api.other.com'))).toBe(false)
    // Two tenants of one hosting provider are two sites: a token for one must not go to the other.
    expect(isSameSite(u('https://alice.github.io'), u('https://mallory.github.io'))).toBe(false)
    expect(isSameSite(u('https://shop.co.uk'), u('https://other.co.uk'))).toBe(false)
    expect(isSameSite(u('http://localhost:5173'), u('http://127.0.0.1:8787'))).toBe(true)
    expect(parseUrl('nope')).toBeNull()
  })
})
