import { describe, expect, it } from 'vitest'
import { assessIssuedAtSkew, estimateServerClock, expiryView, formatDuration, numericDateMs, serverClockSample } from './expiry.ts'

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0)
const sec = (ms: number) => ms / 1000

describe('server clock from the Date header', () => {
  it('estimates the offset at the midpoint of the Date second and of the round trip', () => {
    const serverDate = new Date(NOW + 600_000).toUTCString() // server 10 min ahead
    const sample = serverClockSample(serverDate, NOW + 100, NOW - 100)
    expect(sample?.offsetMs).toBe(600_500)
    expect(sample?.uncertaintyMs).toBe(600)
    expect(serverClockSample('not a date', NOW)).toBeNull()
    expect(serverClockSample(serverDate, NOW, NOW + 5)).toBeNull()
  })

  it('takes the median of samples so one slow response does not move it', () => {
    const estimate = estimateServerClock([
      { offsetMs: 1000, uncertaintyMs: 600, at: 1 },
      { offsetMs: 90_000, uncertaintyMs: 9000, at: 2 },
      { offsetMs: 1200, uncertaintyMs: 550, at: 3 },
    ])
    expect(estimate).toEqual({ offsetMs: 1200, uncertaintyMs: 550, samples: 3 })
    expect(estimateServerClock([{ offsetMs: 10, uncertaintyMs: 1, at: 1 }, { offsetMs: 20, uncertaintyMs: 1, at: 2 }])?.offsetMs).toBe(15)
    expect(estimateServerClock([])).toBeNull()
  })
})

describe('expiryView', () => {
  it('E19 shows remaining time against the local and the server-estimated clock', () => {
    const claims = { iat: sec(NOW), exp: sec(NOW + 300_000) }
    const localOnly = expiryView(claims, NOW + 60_000)
    expect(localOnly).toMatchObject({ state: 'valid', basis: 'local', remainingLocalMs: 240_000, remainingServerMs: null, lifetimeMs: 300_000 })
    // The local clock is 10 minutes behind the server: by the server the token is already expired.
    const withServer = expiryView(claims, NOW + 60_000, { offsetMs: 600_000, uncertaintyMs: 500, samples: 1 })
    expect(withServer).toMatchObject({ state: 'expired', basis: 'server', remainingLocalMs: 240_000, remainingServerMs: -360_000 })
  })

  it('reports no-exp, not-yet-valid and honours a tolerance', () => {
    expect(expiryView({ sub: 'x' }, NOW).state).toBe('no-exp')
    expect(expiryView({ nbf: sec(NOW + 60_000), exp: sec(NOW + 120_000) }, NOW).state).toBe('not-yet-valid')
    expect(expiryView({ exp: sec(NOW - 10_000) }, NOW, null, 30_000).state).toBe('valid')
    expect(expiryView({ exp: 'tomorrow' }, NOW).expiresAtMs).toBeNull()
    expect(numericDateMs(1e12)).toBeNull()
    expect(numericDateMs(1300819380.5)).toBe(1300819380500)
  })
})

describe('assessIssuedAtSkew', () => {
  it('E8 iat in the future with no Date header: future iat, amount known', () => {
    const skew = assessIssuedAtSkew({ iat: sec(NOW + 300_000) }, NOW, null, 60_000)
    expect(skew).toEqual({ kind: 'future-iat', claim: 'iat', aheadOfLocalMs: 300_000, aheadOfServerMs: null })
  })

  it('E8 iat in the future but matching the server clock: the local clock is behind', () => {
    const skew = assessIssuedAtSkew({ iat: sec(NOW + 300_000) }, NOW, { offsetMs: 300_200, uncertaintyMs: 600, samples: 2 }, 60_000)
    expect(skew.kind).toBe('local-clock-behind')
  })

  it('E8 iat ahead of the server clock too: the issuer clock is ahead', () => {
    const skew = assessIssuedAtSkew({ iat: sec(NOW + 300_000), nbf: sec(NOW + 400_000) }, NOW, { offsetMs: 0, uncertaintyMs: 600, samples: 2 }, 60_000)
    expect(skew).toMatchObject({ kind: 'issuer-clock-ahead', claim: 'nbf', aheadOfServerMs: 400_000 })
  })

  it('E8 negative: iat in the past, or within tolerance, is no skew', () => {
    expect(assessIssuedAtSkew({ iat: sec(NOW - 5000) }, NOW, null, 60_000).kind).toBe('none')
    expect(assessIssuedAtSkew({ iat: sec(NOW + 30_000) }, NOW, null, 60_000).kind).toBe('none')
    expect(assessIssuedAtSkew({ sub: 'x' }, NOW, null, 60_000).kind).toBe('none')
  })
})

describe('formatDuration', () => {
  it('formats countdowns', () => {
    expect(formatDuration(12_400)).toBe('12s')
    expect(formatDuration(245_000)).toBe('4m 05s')
    expect(formatDuration(3_720_000)).toBe('1h 02m')
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d 4h')
    expect(formatDuration(-245_000)).toBe('-4m 05s')
  })
})
