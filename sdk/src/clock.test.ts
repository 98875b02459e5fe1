import { describe, expect, it } from 'vitest'
import { createServerClock } from './clock.ts'

describe('createServerClock (S10)', () => {
  it('starts at local time and learns the server offset from a token iat', () => {
    let local = 1_000_000_000_000
    const clock = createServerClock(() => local)
    expect(clock.now()).toBe(local)
    clock.learn(local / 1000 + 600)
    expect(clock.offset).toBe(600_000)
    expect(clock.now()).toBe(local + 600_000)
    local += 5000
    expect(clock.now()).toBe(local + 600_000)
    clock.learn(local / 1000 - 600)
    expect(clock.offset).toBe(-600_000)
  })

  it('ignores differences a one-second resolution can explain', () => {
    const local = 1_000_000_000_000
    const clock = createServerClock(() => local)
    clock.learn(local / 1000 + 1)
    clock.learn(local / 1000 - 1.5)
    expect(clock.offset).toBe(0)
    clock.learn(local / 1000 + 2)
    expect(clock.offset).toBe(2000)
    clock.learn(local / 1000 + 3)
    expect(clock.offset).toBe(2000)
  })

  it('ignores missing or non-finite values', () => {
    const clock = createServerClock(() => 0)
    for (const value of [undefined, NaN, Infinity, -Infinity]) clock.learn(value)
    expect(clock.offset).toBe(0)
  })

  it('learns from a Date header, and ignores a missing or invalid one', () => {
    const local = Date.UTC(2030, 0, 1, 12, 0, 0)
    const clock = createServerClock(() => local)
    clock.learnFromResponse(new Response(null, { headers: { date: 'not a date' } }))
    clock.learnFromResponse(new Response(null))
    expect(clock.offset).toBe(0)
    clock.learnFromResponse(new Response(null, { headers: { date: new Date(local - 10 * 60_000).toUTCString() } }))
    expect(clock.offset).toBe(-600_000)
  })
})
