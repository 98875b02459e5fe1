import { describe, expect, it } from 'vitest'
import { median, medianWithInterval, quantileWithInterval, seededRandom } from './bootstrap.ts'

/** Seeded draws from a skewed distribution with a known median (exponential: ln 2 / rate). */
function exponential(count: number, seed: number, rate = 1): number[] {
  const random = seededRandom(seed)
  return Array.from({ length: count }, () => -Math.log(1 - random()) / rate)
}

describe('median', () => {
  it('is the middle value, or the mean of the middle two, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([7])).toBe(7)
    expect(() => median([])).toThrow(RangeError)
  })
})

describe('seededRandom', () => {
  it('draws the same numbers from the same seed, other numbers from another, all in [0, 1)', () => {
    const first = Array.from({ length: 1000 }, seededRandom(42))
    expect(Array.from({ length: 1000 }, seededRandom(42))).toEqual(first)
    expect(Array.from({ length: 1000 }, seededRandom(43))).not.toEqual(first)
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true)
    // Spread over the whole range, not stuck in part of it.
    expect(median(first)).toBeGreaterThan(0.45)
    expect(median(first)).toBeLessThan(0.55)
  })
})

describe('medianWithInterval', () => {
  it('gives the same interval for the same samples: a run can be reproduced from its numbers', () => {
    const samples = exponential(1000, 7)
    expect(medianWithInterval(samples)).toEqual(medianWithInterval([...samples].reverse()))
    expect(medianWithInterval(samples, { seed: 2 })).not.toEqual(medianWithInterval(samples, { seed: 3 }))
  })

  it('finds each draw’s median exactly as sorting the draw would', () => {
    const samples = exponential(101, 3)
    const resamples = 300
    const seed = 11
    // The slow way, with the same random picks: each draw as a list of values, sorted.
    const random = seededRandom(seed)
    const sorted = [...samples].sort((a, b) => a - b)
    const medians = Array.from({ length: resamples }, () => median(Array.from(sorted, () => sorted[Math.floor(random() * sorted.length)]!))).sort((a, b) => a - b)
    const at = (p: number) => {
      const position = p * (resamples - 1)
      const below = Math.floor(position)
      return medians[below]! + (position - below) * (medians[below + 1]! - medians[below]!)
    }
    const estimate = medianWithInterval(samples, { resamples, seed })
    expect(estimate.low).toBeCloseTo(at(0.025), 12)
    expect(estimate.high).toBeCloseTo(at(0.975), 12)
    expect(estimate.median).toBe(median(samples))
    expect(estimate.samples).toBe(101)
  })

  it('covers the true median in about 95 % of experiments', () => {
    const trueMedian = Math.LN2
    const experiments = 200
    let covered = 0
    for (let seed = 1; seed <= experiments; seed++) {
      const { low, high } = medianWithInterval(exponential(200, seed * 7919), { resamples: 1000, seed })
      if (low <= trueMedian && trueMedian <= high) covered++
    }
    expect(covered / experiments).toBeGreaterThan(0.9)
    expect(covered / experiments).toBeLessThan(0.99)
  })

  it('narrows as samples grow: ten times as wide from a hundredth of the samples', () => {
    const width = (count: number) => {
      const { low, high } = medianWithInterval(exponential(count, 5), { resamples: 1000 })
      return high - low
    }
    const ratio = width(100) / width(10_000)
    expect(ratio).toBeGreaterThan(5)
    expect(ratio).toBeLessThan(20)
  })

  it('has no width when every sample is the same, and refuses to invent one from nothing', () => {
    expect(medianWithInterval([0.2, 0.2, 0.2])).toEqual({ median: 0.2, low: 0.2, high: 0.2, samples: 3 })
    expect(medianWithInterval([5])).toEqual({ median: 5, low: 5, high: 5, samples: 1 })
    expect(() => medianWithInterval([])).toThrow(RangeError)
  })
})

describe('quantileWithInterval', () => {
  it('gives the p95 (type 7) with an interval around it, the median at 0.5, and refuses a p outside 0..1', () => {
    const samples = Array.from({ length: 101 }, (_, index) => index)
    const p95 = quantileWithInterval(samples, 0.95)
    expect(p95.value).toBe(95)
    expect(p95.low).toBeLessThanOrEqual(95)
    expect(p95.high).toBeGreaterThanOrEqual(95)
    expect(p95.high).toBeLessThanOrEqual(100)
    expect(p95.samples).toBe(101)
    const { value, ...interval } = quantileWithInterval(samples, 0.5)
    expect(medianWithInterval(samples)).toEqual({ median: value, ...interval })
    expect(() => quantileWithInterval(samples, 1.5)).toThrow(RangeError)
  })

  it('puts a skewed distribution’s p95 well above its median, each inside its own interval', () => {
    const samples = exponential(1000, 11)
    const p95 = quantileWithInterval(samples, 0.95)
    const middle = medianWithInterval(samples)
    expect(p95.low).toBeGreaterThan(middle.high)
    // Exponential with rate 1: the true p95 is ln 20 ≈ 3.0, the median ln 2 ≈ 0.69.
    expect(p95.low).toBeLessThan(Math.log(20))
    expect(p95.high).toBeGreaterThan(Math.log(20))
  })
})
