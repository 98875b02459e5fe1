import { describe, expect, it } from 'vitest'
import { decodeContent, toExchange, wantsResponseBody, type HarEntryLike } from './har.ts'

const entry = (overrides: Partial<HarEntryLike['response']> = {}, url = 'https://app.example.com/api/auth/login'): HarEntryLike => ({
  startedDateTime: '2026-01-01T12:00:00.000Z',
  time: 42.4,
  request: { method: 'POST', url, headers: [{ name: 'Content-Type', value: 'application/json' }], postData: { mimeType: 'application/json', text: '{"username":"alice"}' } },
  response: { status: 200, headers: [{ name: 'Date', value: 'Thu, 01 Jan 2026 12:00:00 GMT' }, { name: 'set-cookie', value: 'sid=1; HttpOnly' }], content: { size: 120, mimeType: 'application/json' }, ...overrides },
})

describe('HAR entries', () => {
  it('become exchanges with times, headers (Set-Cookie and Date included) and bodies', () => {
    const exchange = toExchange(entry(), '{"accessToken":"x"}')
    expect(exchange).toEqual({
      kind: 'exchange',
      sentAt: Date.parse('2026-01-01T12:00:00.000Z'),
      at: Date.parse('2026-01-01T12:00:00.000Z') + 42,
      request: { method: 'POST', url: 'https://app.example.com/api/auth/login', headers: [{ name: 'Content-Type', value: 'application/json' }], body: '{"username":"alice"}' },
      response: { status: 200, headers: [{ name: 'Date', value: 'Thu, 01 Jan 2026 12:00:00 GMT' }, { name: 'set-cookie', value: 'sid=1; HttpOnly' }], body: '{"accessToken":"x"}' },
    })
  })

  it('fetch bodies only where tokens can be: small JSON/form/text 2xx responses', () => {
    expect(wantsResponseBody(entry())).toBe(true)
    expect(wantsResponseBody(entry({ content: { size: 5_000_000, mimeType: 'application/json' } }))).toBe(false)
    expect(wantsResponseBody(entry({ content: { size: 100, mimeType: 'image/png' } }))).toBe(false)
    expect(wantsResponseBody(entry({ status: 204 }))).toBe(false)
    expect(wantsResponseBody(entry({ status: 401 }))).toBe(false)
    expect(wantsResponseBody(entry({}, 'data:application/json,{}'))).toBe(false)
  })

  it('rebuild a form body from HAR params when there is no text (token requests are forms)', () => {
    const form = entry({}, 'https://idp.example.com/token')
    const params = [{ name: 'grant_type', value: 'authorization_code' }, { name: 'code', value: 'c 1' }]
    expect(toExchange({ ...form, request: { ...form.request, postData: { mimeType: 'application/x-www-form-urlencoded', params } } })?.request.body).toBe('grant_type=authorization_code&code=c+1')
    expect(toExchange({ ...form, request: { ...form.request, postData: { params: [] } } })?.request.body).toBeUndefined()
  })

  it('skip what is not a page request', () => {
    expect(toExchange(entry({}, 'chrome-extension://abc/x.json'))).toBeNull()
    expect(toExchange(entry({}, 'blob:https://app.example.com/1'))).toBeNull()
  })

  it('decode base64 content as UTF-8 and survive junk', () => {
    expect(decodeContent(btoa('{"a":1}'), 'base64')).toBe('{"a":1}')
    expect(decodeContent('plain', '')).toBe('plain')
    expect(decodeContent('%%%not base64', 'base64')).toBeUndefined()
    expect(decodeContent(null, '')).toBeUndefined()
  })
})
