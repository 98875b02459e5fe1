import { describe, expect, it } from 'vitest'
import { CARRY_LIMITS, roundTripsToCarry, type RoundTripProgress } from './oauth-carry.ts'

const T0 = Date.UTC(2026, 0, 1, 12)
const MINUTE = 60_000
const trip = (flow: number, startedAt: number, stage: RoundTripProgress['stage']): RoundTripProgress => ({ flow, startedAt, stage })

describe('roundTripsToCarry', () => {
  it('carries a request still waiting for its response and a code not yet exchanged; not a finished round trip', () => {
    const carried = roundTripsToCarry([trip(1, T0, 'requested'), trip(2, T0 + 1, 'code'), trip(3, T0 + 2, 'done')], T0 + MINUTE)
    expect(carried.map((r) => r.flow)).toEqual([1, 2])
  })

  it('forgets a round trip started longer ago than the age limit: a sign-in that never came back', () => {
    const limit = CARRY_LIMITS.maxAgeMs
    const carried = roundTripsToCarry([trip(1, T0, 'requested'), trip(2, T0 + 1, 'requested')], T0 + 1 + limit)
    expect(carried.map((r) => r.flow)).toEqual([2])
    expect(roundTripsToCarry([trip(1, T0, 'code')], T0 + limit + 1)).toEqual([])
  })

  it('keeps only the newest few, oldest first, whatever order they come in', () => {
    const many = Array.from({ length: 12 }, (_, i) => trip(i + 1, T0 + i * 1000, 'requested')).reverse()
    const carried = roundTripsToCarry(many, T0 + MINUTE)
    expect(carried.map((r) => r.flow)).toEqual([8, 9, 10, 11, 12])
    expect(roundTripsToCarry(many, T0 + MINUTE, { maxAgeMs: CARRY_LIMITS.maxAgeMs, maxRoundTrips: 0 })).toEqual([])
  })
})
