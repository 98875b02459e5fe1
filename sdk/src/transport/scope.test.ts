import { afterEach, describe, expect, it, vi } from 'vitest'
import { createScope, isUnsafeMethod } from './scope.ts'

afterEach(() => vi.unstubAllGlobals())

describe('createScope: where the credential may go (S14)', () => {
  it('resolves paths under the API root without doubling the prefix', () => {
    const scope = createScope('http://localhost/api')
    expect(scope.resolve('/me').href).toBe('http://localhost/api/me')
    expect(scope.resolve('/notes/42?x=1#top').href).toBe('http://localhost/api/notes/42?x=1#top')
    expect(scope.resolve('/api/me').href).toBe('http://localhost/api/me')
    expect(scope.resolve('/api').href).toBe('http://localhost/api')
    // `/apix` is not under `/api`: it is prefixed like any other path.
    expect(scope.resolve('/apix').href).toBe('http://localhost/api/apix')
  })

  it('a trailing slash on baseURL changes nothing', () => {
    const scope = createScope('http://localhost/api/')
    expect(scope.resolve('/me').href).toBe('http://localhost/api/me')
    expect(scope.contains(new URL('http://localhost/api/me'))).toBe(true)
    expect(scope.contains(new URL('http://localhost/api'))).toBe(true)
  })

  it('full and protocol-relative URLs stand as written', () => {
    const scope = createScope('http://localhost/api')
    expect(scope.resolve('https://other.example/api/me').href).toBe('https://other.example/api/me')
    expect(scope.resolve('//evil.example/api/me').href).toBe('http://evil.example/api/me')
  })

  it('a relative baseURL resolves against the page (or http://localhost/ without one)', () => {
    expect(createScope('/api').resolve('/me').href).toBe('http://localhost/api/me')
    vi.stubGlobal('location', new URL('https://app.example.com/dashboard/settings'))
    const scope = createScope('/api')
    expect(scope.resolve('/me').href).toBe('https://app.example.com/api/me')
    expect(scope.contains(new URL('https://app.example.com/api/me'))).toBe(true)
    expect(scope.contains(new URL('http://localhost/api/me'))).toBe(false)
  })

  it('contains: same origin and path prefix only', () => {
    const scope = createScope('https://api.example.com/v1')
    const inside = ['https://api.example.com/v1', 'https://api.example.com/v1/', 'https://api.example.com/v1/users/7', 'https://API.example.com:443/v1/x']
    const outside = [
      'https://api.example.com/v2/users',
      'https://api.example.com/v10',
      'https://api.example.com/v1x/users',
      'https://api.example.com/',
      'http://api.example.com/v1/users',
      'https://api.example.com:8443/v1/users',
      'https://evil.example.com/v1/users',
      'https://api.example.com.evil.example/v1/users',
      'https://user@evil.example/v1',
    ]
    for (const url of inside) expect(scope.contains(new URL(url)), url).toBe(true)
    for (const url of outside) expect(scope.contains(new URL(url)), url).toBe(false)
  })

  it('dot segments cannot smuggle a request out of the prefix with the credential', () => {
    const scope = createScope('http://localhost/api')
    for (const path of ['/api/../admin', '/api/%2e%2e/admin', '/api/./../admin']) {
      const url = scope.resolve(path)
      expect(url.pathname, path).toBe('/admin')
      expect(scope.contains(url), path).toBe(false)
    }
  })

  it('a root baseURL covers the whole origin, and nothing else', () => {
    const scope = createScope('http://localhost/')
    expect(scope.resolve('/me').href).toBe('http://localhost/me')
    expect(scope.contains(new URL('http://localhost/anything/at/all'))).toBe(true)
    expect(scope.contains(new URL('http://localhost:8080/'))).toBe(false)
  })
})

describe('isUnsafeMethod', () => {
  it('GET, HEAD, OPTIONS and TRACE are safe; everything else (any case) is not', () => {
    for (const method of ['GET', 'head', 'OPTIONS', 'trace', undefined]) expect(isUnsafeMethod(method), String(method)).toBe(false)
    for (const method of ['POST', 'put', 'PATCH', 'DELETE', 'PROPFIND']) expect(isUnsafeMethod(method), method).toBe(true)
  })
})
