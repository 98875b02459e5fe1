import { describe, expect, it } from 'vitest'
import { medianWithInterval, seededRandom } from './bootstrap.ts'
import { bound, comparedWith, lessThan, overall } from './verdict.ts'

/** Seeded timings around `center` with noise and the odd outlier, as a server's clock gives them. */
function timings(center: number, count: number, seed: number): number[] {
  const random = seededRandom(seed)
  return Array.from({ length: count }, () => center * (0.8 + 0.4 * random()) * (random() < 0.02 ? 10 : 1))
}

describe('lessThan', () => {
  it('agrees or disagrees only when the intervals do not overlap', () => {
    expect(lessThan({ low: 1, high: 2 }, { low: 3, high: 4 })).toBe('agrees')
    expect(lessThan({ low: 3, high: 4 }, { low: 1, high: 2 })).toBe('disagrees')
    expect(lessThan({ low: 1, high: 3 }, { low: 2, high: 4 })).toBe('depends')
    expect(lessThan({ low: 2, high: 4 }, { low: 1, high: 3 })).toBe('depends')
    expect(lessThan({ low: 1, high: 5 }, { low: 2, high: 3 })).toBe('depends')
    // Touching is overlapping: the true values could be equal.
    expect(lessThan({ low: 1, high: 2 }, { low: 2, high: 3 })).toBe('depends')
  })

  it('compares with a fixed bound as an interval of no width', () => {
    expect(lessThan({ low: 10, high: 20 }, bound(100))).toBe('agrees')
    expect(lessThan({ low: 90, high: 120 }, bound(100))).toBe('depends')
    expect(lessThan({ low: 110, high: 120 }, bound(100))).toBe('disagrees')
  })

  it('gives the same answer in every run for timings far apart, and for equal ones says "depends" in all but a few', () => {
    const far = new Set<string>()
    let equalDepends = 0
    const runs = 100
    for (let run = 1; run <= runs; run++) {
      const verify = medianWithInterval(timings(0.12, 500, run), { resamples: 400 })
      const lookup = medianWithInterval(timings(0.004, 500, run + 1000), { resamples: 400 })
      far.add(lessThan(verify, lookup))
      const a = medianWithInterval(timings(1, 500, run + 2000), { resamples: 400 })
      const b = medianWithInterval(timings(1, 500, run + 3000), { resamples: 400 })
      if (lessThan(a, b) === 'depends') equalDepends++
    }
    expect([...far]).toEqual(['disagrees'])
    // Two 95 % intervals of equal medians miss each other about once in a hundred runs or less.
    expect(equalDepends / runs).toBeGreaterThanOrEqual(0.95)
  })
})

describe('comparedWith', () => {
  it('says in words how A compares with B, never more surely than the intervals allow', () => {
    expect(comparedWith(lessThan({ low: 1, high: 2 }, { low: 3, high: 4 }))).toBe('less than')
    expect(comparedWith(lessThan({ low: 3, high: 4 }, { low: 1, high: 2 }))).toBe('more than')
    expect(comparedWith(lessThan({ low: 1, high: 3 }, { low: 2, high: 4 }))).toBe('about as much as')
  })
})

describe('overall', () => {
  it('holds or fails only when every setting says so; otherwise it depends', () => {
    expect(overall(['agrees', 'agrees'])).toBe('agrees')
    expect(overall(['disagrees', 'disagrees'])).toBe('disagrees')
    expect(overall(['agrees', 'disagrees'])).toBe('depends')
    expect(overall(['agrees', 'depends'])).toBe('depends')
    expect(overall([])).toBe('depends')
  })
})
