import { describe, expect, it } from 'vitest'
import { bffLoginUrl, parseBffSession } from './bff-routes.ts'

describe('the BFF routes as the demo reads them', () => {
  it('reads what /bff/session says about the record: times as milliseconds, a refresh token as yes or no', () => {
    const facts = parseBffSession({
      user: { sub: 'u_alice' },
      expiresAt: '2030-01-01T12:15:00.000Z',
      absoluteExpiresAt: '2030-01-01T20:00:00.000Z',
      tokens: { accessTokenExpiresAt: '2030-01-01T12:00:30.000Z', refreshToken: true },
    })
    expect(facts).toEqual({
      user: { sub: 'u_alice' },
      expiresAt: Date.UTC(2030, 0, 1, 12, 15),
      absoluteExpiresAt: Date.UTC(2030, 0, 1, 20),
      accessTokenExpiresAt: Date.UTC(2030, 0, 1, 12, 0, 30),
      refreshToken: true,
    })
  })

  it('is no session for an answer without the times (an older BFF, an error body, nothing)', () => {
    expect(parseBffSession({ user: { sub: 'u_alice' }, expiresAt: '2030-01-01T12:15:00.000Z', absoluteExpiresAt: '2030-01-01T20:00:00.000Z' })).toBeNull()
    expect(parseBffSession({ error: 'missing_credentials' })).toBeNull()
    expect(parseBffSession(null)).toBeNull()
  })

  it('sends the BFF the page to come back to, encoded', () => {
    expect(bffLoginUrl('/?mode=bff#demo')).toBe('/bff/login?returnTo=%2F%3Fmode%3Dbff%23demo')
  })
})
