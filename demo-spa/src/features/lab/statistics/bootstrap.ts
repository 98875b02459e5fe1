/** A median with its 95 % confidence interval, and how many samples it comes from. */
export interface Estimate {
  median: number
  low: number
  high: number
  samples: number
}

export interface BootstrapOptions {
  /** Resamples drawn. */
  resamples?: number
  /** The same seed draws the same resamples, so the same samples always give the same interval. */
  seed?: number
}

/** mulberry32: small, fast and good enough to pick resampling indices; not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The middle value of sorted values, or the mean of the middle two. */
const middle = (sorted: Float64Array): number => (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the median of no values')
  return middle(Float64Array.from(values).sort())
}

/** The `p` quantile of sorted values, interpolated between neighbours (Hyndman and Fan's type 7). */
function quantile(sorted: Float64Array, p: number): number {
  const position = p * (sorted.length - 1)
  const below = Math.floor(position)
  const above = Math.min(below + 1, sorted.length - 1)
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!)
}

/**
 * The median and its 95 % percentile-bootstrap interval (Efron): draw the samples again with
 * replacement, take each draw's median, and keep the middle 95 % of those medians. Timings are
 * skewed and have outliers, so a median with an interval that assumes no distribution.
 *
 * Each draw only counts how often it picked each sample; its median is then found by walking the
 * counts over the samples sorted once, which keeps thousands of draws of thousands of samples fast
 * enough for a page.
 */
export function medianWithInterval(values: readonly number[], { resamples = 2000, seed = 1 }: BootstrapOptions = {}): Estimate {
  const n = values.length
  if (n === 0) throw new RangeError('an interval needs at least one sample')
  const sorted = Float64Array.from(values).sort()
  const random = seededRandom(seed)
  const counts = new Uint32Array(n)
  const medians = new Float64Array(resamples)
  // 0-based positions of the middle one (odd n) or two (even n) values of a draw.
  const lowerMiddle = (n - 1) >> 1
  const upperMiddle = n >> 1
  for (let draw = 0; draw < resamples; draw++) {
    counts.fill(0)
    for (let pick = 0; pick < n; pick++) counts[Math.floor(random() * n)]!++
    let seen = 0
    let lower = Number.NaN
    for (let index = 0; index < n; index++) {
      seen += counts[index]!
      if (Number.isNaN(lower) && seen > lowerMiddle) lower = sorted[index]!
      if (seen > upperMiddle) {
        medians[draw] = (lower + sorted[index]!) / 2
        break
      }
    }
  }
  medians.sort()
  return { median: middle(sorted), low: quantile(medians, 0.025), high: quantile(medians, 0.975), samples: n }
}
