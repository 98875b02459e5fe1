import { describe, expect, it } from 'vitest'
import { describeMetric, parseServerTiming } from './server-timing.ts'

describe('parseServerTiming', () => {
  it('reads what the mock backend sends', () => {
    expect(parseServerTiming('verify;dur=0.1262;desc="ES256", store;dur=0.0045;desc="memory"')).toEqual([
      { name: 'verify', duration: 0.1262, description: 'ES256' },
      { name: 'store', duration: 0.0045, description: 'memory' },
    ])
  })

  it('reads the forms the specification allows: no duration, token values, quoted commas, spaces, repeated params', () => {
    expect(parseServerTiming('miss, db;dur=53, app;dur=47.2;desc=cpu , cache;desc="a, b; \\"c\\"";dur=1;dur=9')).toEqual([
      { name: 'miss', duration: 0, description: '' },
      { name: 'db', duration: 53, description: '' },
      { name: 'app', duration: 47.2, description: 'cpu' },
      { name: 'cache', duration: 1, description: 'a, b; "c"' },
    ])
  })

  it('reads nothing from no header, and stops at what it cannot read rather than guess', () => {
    expect(parseServerTiming(null)).toEqual([])
    expect(parseServerTiming('')).toEqual([])
    expect(parseServerTiming('verify;dur=1, "broken, lookup;dur=2')).toEqual([{ name: 'verify', duration: 1, description: '' }])
    expect(parseServerTiming('verify;dur=abc')).toEqual([{ name: 'verify', duration: 0, description: '' }])
  })
})

describe('describeMetric', () => {
  it('shows microseconds below a millisecond and milliseconds above, with the description', () => {
    expect(describeMetric({ name: 'verify', duration: 0.1262, description: 'ES256' })).toBe('verify 126 µs (ES256)')
    expect(describeMetric({ name: 'lookup', duration: 0.0041, description: 'memory' })).toBe('lookup 4 µs (memory)')
    expect(describeMetric({ name: 'password', duration: 20.6713, description: '' })).toBe('password 20.7 ms')
  })
})
