import { describe, expect, it } from 'vitest'
import { approximateSite, isLoopbackHost, isSameSite, parseUrl } from './origins.ts'

describe('origins', () => {
  it('recognises loopback hosts only', () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]']) expect(isLoopbackHost(host), host).toBe(true)
    for (const host of ['example.com', '10.0.0.1', '192.168.1.10', 'localhost.example.com', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false)
  })

  it('approximates the registrable site', () => {
    expect(approximateSite('api.app.example.com')).toBe('example.com')
    expect(approximateSite('www.shop.co.uk')).toBe('shop.co.uk')
    expect(approximateSite('10.0.0.1')).toBe('10.0.0.1')
    const u = (s: string) => parseUrl(s) as URL
    expect(isSameSite(u('https://app.example.com'), u('https://api.example.com'))).toBe(true)
    expect(isSameSite(u('https://app.example.com'), u('https://api.other.com'))).toBe(false)
    expect(isSameSite(u('http://localhost:5173'), u('http://127.0.0.1:8787'))).toBe(true)
    expect(parseUrl('nope')).toBeNull()
  })
})
