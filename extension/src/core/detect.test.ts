import { describe, expect, it } from 'vitest'
import { detectTokens } from './detect.ts'
import { exchange } from './testing/observations.ts'
import { RFC7519_3_1, makeJwt } from './testing/tokens.ts'

const ACCESS = makeJwt({ sub: 'u1', iss: 'https://issuer.example', exp: 2_000_000_000 })
const REFRESH = 'rt_4f9d0c2b7a1e4e0f8a3b6c5d'
const places = (sightings: ReturnType<typeof detectTokens>) => sightings.map((s) => [s.place.source, s.place.key, s.direction])

describe('detectTokens', () => {
  it('finds a bearer token in the Authorization header, as sent, with the request as context', () => {
    const sightings = detectTokens(exchange({ requestHeaders: { Authorization: `Bearer ${ACCESS}` }, status: 401 }))
    expect(places(sightings)).toEqual([['authorization-header', 'Authorization', 'sent']])
    expect(sightings[0]?.value).toBe(ACCESS)
    expect(sightings[0]?.exchange).toEqual({ method: 'GET', url: 'https://app.example.com/api/notes', status: 401 })
    expect(detectTokens(exchange({ requestHeaders: { Authorization: 'Basic dXNlcjpwYXNzd29yZA==' } }))).toEqual([])
  })

  it('finds tokens in a JSON token response, nested and under any casing', () => {
    const body = JSON.stringify({ data: { accessToken: ACCESS, tokens: [{ refresh_token: REFRESH }] }, token_type: 'Bearer', expires_in: 900, id_token: RFC7519_3_1 })
    const sightings = detectTokens(exchange({ method: 'POST', url: 'https://app.example.com/api/auth/login', responseBody: body, responseHeaders: { 'Content-Type': 'application/json' } }))
    expect(places(sightings)).toEqual([
      ['response-body', 'data.accessToken', 'received'],
      ['response-body', 'data.tokens[0].refresh_token', 'received'],
      ['response-body', 'id_token', 'received'],
    ])
  })

  it('finds tokens sent in a form-encoded request body (OAuth 2.0 refresh grant)', () => {
    const sightings = detectTokens(exchange({ method: 'POST', requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded' }, requestBody: `grant_type=refresh_token&refresh_token=${REFRESH}` }))
    expect(places(sightings)).toEqual([['request-body', 'refresh_token', 'sent']])
  })

  it('finds tokens in Set-Cookie (received) and in the Cookie header (sent), ignoring deletions and the CSRF cookie', () => {
    const received = detectTokens(exchange({ responseHeaders: [
      { name: 'Set-Cookie', value: `rt=${REFRESH}; Path=/api/auth; HttpOnly; SameSite=Strict` },
      { name: 'Set-Cookie', value: 'XSRF-TOKEN=abcdefabcdefabcdefabcdef; Path=/' },
      { name: 'Set-Cookie', value: 'sid=deadbeefdeadbeefdeadbeef; Max-Age=0' },
    ] }))
    expect(places(received)).toEqual([['set-cookie', 'rt', 'received']])
    const sent = detectTokens(exchange({ requestHeaders: { Cookie: `theme=dark; sid=0123456789abcdef0123; jwt=${ACCESS}` } }))
    expect(places(sent)).toEqual([['cookie-header', 'sid', 'sent'], ['cookie-header', 'jwt', 'sent']])
  })

  it('takes a session id cookie’s value as it is, signed express-session ids included; short values and other names are no session', () => {
    const jar = (name: string, value: string) => detectTokens({ kind: 'cookie', at: 1, removed: false, cookie: { name, value, domain: 'app.example.com', path: '/', secure: true, httpOnly: true, sameSite: 'lax', session: true } })
    const signed = 's%3AhQ3Zr5b4Yq0W1mJ8kLx2NvP6tR9sUcEd.Xk2%2Fv9pQ7mT4wZ1yB3nH8fJ6gL0sA5dR2cE9uK4iO7w'
    expect(jar('connect.sid', signed).map((s) => [s.place.key, s.value])).toEqual([['connect.sid', decodeURIComponent(signed)]])
    expect(places(jar('JSESSIONID', '9F1C2E7B4D0A8F3E6B5C1D2A3F4E5D6C'))).toEqual([['cookie-jar', 'JSESSIONID', 'stored']])
    expect(jar('PHPSESSID', 'short')).toEqual([])
    expect(jar('theme', 's:hQ3Zr5b4Yq0W1mJ8kLx2NvP6tR9sUcEd')).toEqual([])
    const sent = detectTokens(exchange({ requestHeaders: { Cookie: `connect.sid=${signed}` } }))
    expect(places(sent)).toEqual([['cookie-header', 'connect.sid', 'sent']])
  })

  it('finds tokens in the cookie jar (stored), including a percent-encoded JSON value', () => {
    const cookie = { name: 'auth', value: encodeURIComponent(JSON.stringify({ token: ACCESS })), domain: 'app.example.com', path: '/', secure: true, httpOnly: false, sameSite: 'lax' as const, session: true }
    expect(places(detectTokens({ kind: 'cookie', at: 1, cookie, removed: false }))).toEqual([['cookie-jar', 'auth.token', 'stored']])
    expect(detectTokens({ kind: 'cookie', at: 1, cookie, removed: true })).toEqual([])
  })

  it('finds tokens in Web Storage: raw, JSON-stringified, and inside JSON objects (JSON in a JSON string too)', () => {
    const raw = detectTokens({ kind: 'storage', at: 1, area: 'localStorage', key: 'token', value: ACCESS })
    expect(places(raw)).toEqual([['local-storage', 'token', 'stored']])
    const quoted = detectTokens({ kind: 'storage', at: 1, area: 'sessionStorage', key: 'jwt', value: JSON.stringify(ACCESS) })
    expect(quoted[0]?.value).toBe(ACCESS)
    expect(quoted[0]?.place.source).toBe('session-storage')
    const record = JSON.stringify({ body: { access_token: ACCESS, refresh_token: REFRESH, scope: 'openid' }, expiresAt: 1 })
    const nested = detectTokens({ kind: 'storage', at: 1, area: 'localStorage', key: '@@auth0spajs@@::client', value: record })
    expect(places(nested).map((p) => p[1])).toEqual(['@@auth0spajs@@::client.body.access_token', '@@auth0spajs@@::client.body.refresh_token'])
    const doubled = detectTokens({ kind: 'storage', at: 1, area: 'localStorage', key: 'persist:root', value: JSON.stringify({ auth: JSON.stringify({ accessToken: ACCESS }) }) })
    expect(places(doubled)).toEqual([['local-storage', 'persist:root.auth.accessToken', 'stored']])
    expect(detectTokens({ kind: 'storage', at: 1, area: 'localStorage', key: 'theme', value: 'dark' })).toEqual([])
    expect(detectTokens({ kind: 'storage', at: 1, area: 'localStorage', key: 'token', value: null })).toEqual([])
  })

  it('J11 finds tokens in a URL query, a fragment and a Location header', () => {
    const query = detectTokens(exchange({ url: `https://api.example.com/export?access_token=${ACCESS}&page=2` }))
    expect(places(query)).toEqual([['url-query', 'access_token', 'sent']])
    const page = detectTokens({ kind: 'page-url', at: 1, url: `https://app.example.com/callback#access_token=${REFRESH}&token_type=bearer&state=xyz` })
    expect(places(page)).toEqual([['url-fragment', 'access_token', 'received']])
    const location = detectTokens(exchange({ status: 302, responseHeaders: { Location: `/callback?id_token=${ACCESS}` } }))
    expect(places(location)).toEqual([['location-header', 'id_token', 'received']])
    expect(detectTokens(exchange({ url: 'https://app.example.com/search?q=hello&page=2' }))).toEqual([])
  })

  it('finds the signature-stripped token in an SDK bridge state message', () => {
    const [header = '', payload = ''] = ACCESS.split('.')
    const state = { strategy: 'jwt' as const, status: 'authenticated' as const, storage: 'memory', user: null, expiresAt: null, clockOffsetMs: 0, accessToken: `${header}.${payload}.`, hasRefreshToken: true, baseURL: '/api' }
    const sightings = detectTokens({ kind: 'sdk', at: 1, message: { source: 'authlens-sdk', version: 1, id: 'a-1', type: 'state', at: 1, state } })
    expect(places(sightings)).toEqual([['sdk-bridge', 'memory', 'stored']])
  })

  it('stays bounded on hostile bodies: huge, deep, wide', () => {
    expect(detectTokens(exchange({ responseBody: `{"access_token":"${'a'.repeat(2 * 1024 * 1024)}"}` }))).toEqual([])
    const deep = '{"a":'.repeat(10_000) + `"${ACCESS}"` + '}'.repeat(10_000)
    expect(detectTokens(exchange({ responseBody: deep }))).toEqual([])
    const wide = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ token: makeJwt({ sub: `u${i}` }) })))
    expect(detectTokens(exchange({ responseBody: wide }))).toHaveLength(50)
  })
})
