import { describe, expect, it } from 'vitest'
import { createPageRequestTracker, isApiCall, readPageRequest } from './page-requests.ts'
import { exchange } from './testing/observations.ts'

const call = (headers: Record<string, string>, responseHeaders: Record<string, string> = { 'Content-Type': 'application/json' }, url = 'https://app.example.com/bff/api/notes?page=2') =>
  exchange({ url, requestHeaders: headers, responseHeaders })

describe('page requests', () => {
  it('an API call is fetch/XHR by Sec-Fetch-Dest, or a JSON answer when the header is missing; documents and images are not', () => {
    expect(isApiCall(call({ 'Sec-Fetch-Dest': 'empty' }, { 'Content-Type': 'text/plain' }))).toBe(true)
    expect(isApiCall(call({ 'Sec-Fetch-Dest': 'document' }))).toBe(false)
    expect(isApiCall(call({ 'Sec-Fetch-Dest': 'image' }, { 'Content-Type': 'image/png' }))).toBe(false)
    expect(isApiCall(call({}))).toBe(true)
    expect(isApiCall(call({}, { 'Content-Type': 'text/html' }))).toBe(false)
  })

  it('reads how a call was authenticated, names only: the scheme, whether a cookie went along, the CSRF header', () => {
    expect(readPageRequest(call({ 'X-CSRF': '1', Cookie: '__Host-bff=secret-session-value' }))).toEqual({
      method: 'GET', origin: 'https://app.example.com', endpoint: 'https://app.example.com/bff/api/notes', status: 200, credential: 'none', cookie: true, csrfHeader: 'X-CSRF', count: 1, at: 1_000_000,
    })
    expect(readPageRequest(call({ Authorization: 'Bearer abc.def.ghi' }))).toMatchObject({ credential: 'bearer', cookie: false, csrfHeader: null })
    expect(readPageRequest(call({ authorization: 'DPoP abc' }))).toMatchObject({ credential: 'dpop' })
    expect(readPageRequest(call({ Authorization: 'Basic dXNlcjpwYXNz' }))).toMatchObject({ credential: 'other' })
    expect(readPageRequest(call({ 'X-Requested-With': 'XMLHttpRequest' }))).toMatchObject({ csrfHeader: 'X-Requested-With' })
    expect(readPageRequest(call({ 'X-XSRF-TOKEN': 'abc' }))).toMatchObject({ csrfHeader: 'X-XSRF-TOKEN' })
    expect(JSON.stringify(readPageRequest(call({ Cookie: '__Host-bff=secret-session-value', Authorization: 'Bearer abc.def.ghi' })))).not.toMatch(/secret-session-value|abc\.def/)
  })

  it('bad input is no fact, not a crash: an unparsable URL, no headers at all', () => {
    expect(readPageRequest(call({}, {}, 'not a url'))).toBeNull()
    expect(readPageRequest(exchange({ requestHeaders: [], responseHeaders: [] }))).toBeNull()
  })

  it('the tracker counts calls per method, endpoint and credential, newest last, and stays capped', () => {
    const tracker = createPageRequestTracker(3)
    tracker.observe(call({}))
    tracker.observe(call({}, undefined, 'https://app.example.com/bff/api/notes?page=3'))
    tracker.observe(call({ Authorization: 'Bearer x' }))
    expect(tracker.facts().map((f) => [f.credential, f.count])).toEqual([['none', 2], ['bearer', 1]])
    for (const path of ['a', 'b', 'c']) tracker.observe(call({}, undefined, `https://app.example.com/${path}`))
    expect(tracker.facts().map((f) => new URL(f.endpoint).pathname)).toEqual(['/a', '/b', '/c'])
    tracker.clear()
    expect(tracker.facts()).toEqual([])
  })
})
