import { describe, expect, it } from 'vitest'
import { makeJwt } from '../core/testing/tokens.ts'
import { looksLikeSdkMessage, parseSdkMessage, stripSignature } from './sdk-bridge.ts'

const state = {
  strategy: 'jwt',
  status: 'authenticated',
  storage: 'memory',
  user: { id: 'u1', name: '<img src=x onerror=alert(1)>' },
  expiresAt: 1_800_000_000_000,
  clockOffsetMs: -1200,
  accessToken: stripSignature(makeJwt({ sub: 'u1' })),
  hasRefreshToken: true,
  baseURL: '/api',
}
const stateMessage = { source: 'authlens-sdk', version: 1, id: 'm1abc-0', at: 1_700_000_000_000, type: 'state', state }

describe('parseSdkMessage', () => {
  it('accepts the SDK state and event messages of devtools-protocol v1', () => {
    expect(parseSdkMessage(stateMessage)).toEqual({ ok: true, message: stateMessage, truncated: [] })
    const event = { source: 'authlens-sdk', version: 1, id: 'm1abc-1', at: 1, type: 'event', event: 'refresh-failed', data: { error: { code: 'network', message: 'x' } } }
    expect(parseSdkMessage(event)).toMatchObject({ ok: true, message: event })
    expect(looksLikeSdkMessage(stateMessage)).toBe(true)
    expect(looksLikeSdkMessage({ source: 'other' })).toBe(false)
  })

  it('E4 hostile claims stay inert text: markup in user data is kept verbatim as a string', () => {
    const result = parseSdkMessage(stateMessage)
    expect(result.ok && result.message.type === 'state' && result.message.state.user?.['name']).toBe('<img src=x onerror=alert(1)>')
  })

  it('E4 malformed messages are rejected with a code, never thrown', () => {
    const cases: Array<[unknown, string]> = [
      [null, 'not-an-object'],
      ['a string', 'not-an-object'],
      [{ ...stateMessage, source: 'authlens-sdk-evil' }, 'wrong-source'],
      [{ ...stateMessage, version: 2 }, 'wrong-version'],
      [{ ...stateMessage, type: 'steal' }, 'unknown-type'],
      [{ ...stateMessage, id: '<script>' }, 'invalid-field'],
      [{ ...stateMessage, at: 'now' }, 'invalid-field'],
      [{ ...stateMessage, state: { ...state, status: 'root' } }, 'invalid-field'],
      [{ ...stateMessage, state: { ...state, clockOffsetMs: 1e15 } }, 'invalid-field'],
      [{ ...stateMessage, state: { ...state, accessToken: 'x'.repeat(70_000) } }, 'invalid-field'],
      [{ ...stateMessage, type: 'event', event: 'Drop Table', data: {} }, 'invalid-field'],
      [{ ...stateMessage, state: undefined }, 'invalid-field'],
    ]
    for (const [raw, code] of cases) {
      const result = parseSdkMessage(raw)
      expect(result.ok, JSON.stringify(raw)?.slice(0, 80)).toBe(false)
      if (!result.ok) expect(result.error.code).toBe(code)
    }
  })

  it('E4 a 10 MB message is refused as too large', () => {
    const result = parseSdkMessage({ ...stateMessage, padding: Array.from({ length: 200 }, () => 'p'.repeat(50 * 1024)) })
    expect(result.ok === false && result.error.code).toBe('too-large')
  })

  it('removes a signature a hostile or buggy page sends with the access token (S20 held on receipt)', () => {
    const signed = makeJwt({ sub: 'u1' })
    const result = parseSdkMessage({ ...stateMessage, state: { ...state, accessToken: signed } })
    expect(result.ok && result.message.type === 'state' && result.message.state.accessToken).toBe(stripSignature(signed))
    expect(stripSignature('opaque')).toBe('opaque')
  })
})
