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

/** Type 7 interpolation; a median is the mean of the middle two, to the last bit. */
const between = (lower: number, upper: number, fraction: number): number => (fraction === 0.5 ? (lower + upper) / 2 : lower + fraction * (upper - lower))

/** A quantile (say p95) with its 95 % interval, and how many samples it comes from. */
export interface QuantileEstimate {
  value: number
  low: number
  high: number
  samples: number
}

/**
 * The `p` quantile and its 95 % percentile-bootstrap interval (Efron): draw the samples again with
 * replacement, take each draw's quantile, and keep the middle 95 % of those. Timings are skewed
 * and have outliers, so an interval that assumes no distribution.
 *
 * Each draw only counts how often it picked each sample; its quantile is then found by walking the
 * counts over the samples sorted once, which keeps thousands of draws of thousands of samples fast
 * enough for a page.
 */
export function quantileWithInterval(values: readonly number[], p: number, { resamples = 2000, seed = 1 }: BootstrapOptions = {}): QuantileEstimate {
  const n = values.length
  if (n === 0) throw new RangeError('an interval needs at least one sample')
  if (!(p >= 0 && p <= 1)) throw new RangeError('a quantile is between 0 and 1')
  const sorted = Float64Array.from(values).sort()
  const random = seededRandom(seed)
  const counts = new Uint32Array(n)
  const estimates = new Float64Array(resamples)
  // 0-based positions of a draw's two values the quantile lies between (type 7, as `quantile`).
  const position = p * (n - 1)
  const below = Math.floor(position)
  const above = Math.min(below + 1, n - 1)
  const fraction = position - below
  for (let draw = 0; draw < resamples; draw++) {
    counts.fill(0)
    for (let pick = 0; pick < n; pick++) counts[Math.floor(random() * n)]!++
    let seen = 0
    let lower = Number.NaN
    for (let index = 0; index < n; index++) {
      seen += counts[index]!
      if (Number.isNaN(lower) && seen > below) lower = sorted[index]!
      if (seen > above) {
        estimates[draw] = between(lower, sorted[index]!, fraction)
        break
      }
    }
  }
  estimates.sort()
  return { value: between(sorted[below]!, sorted[above]!, fraction), low: quantile(estimates, 0.025), high: quantile(estimates, 0.975), samples: n }
}

/** The median and its 95 % interval: `quantileWithInterval` at 0.5, the lab's usual estimate. */
export function medianWithInterval(values: readonly number[], options: BootstrapOptions = {}): Estimate {
  const { value, ...interval } = quantileWithInterval(values, 0.5, options)
  return { median: value, ...interval }
}
