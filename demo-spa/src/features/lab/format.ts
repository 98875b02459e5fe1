import type { Estimate, QuantileEstimate } from './statistics/bootstrap.ts'
import type { Measurement } from './types.ts'

export type TimeUnit = 'ms' | 'µs'

const PER_MS: Record<TimeUnit, number> = { ms: 1, 'µs': 1000 }

/** Three significant digits: what a median of noisy timings can claim, and no more. */
const significant = (value: number): number => Number(value.toPrecision(3))

/** A timing estimate (kept in ms) as a measurement in `unit`, with its interval and sample size. */
export function timing(label: string, estimate: Estimate | QuantileEstimate, unit: TimeUnit, chart = false): Measurement {
  const scale = PER_MS[unit]
  return {
    label,
    value: significant(('median' in estimate ? estimate.median : estimate.value) * scale),
    unit,
    chart,
    interval: { low: significant(estimate.low * scale), high: significant(estimate.high * scale) },
    samples: estimate.samples,
  }
}

/** `1,234 bytes/request`, or for a timing `126 µs (95% CI 121–130, n = 1,000)`: the number as measured. */
export function formatMeasurement(measurement: Measurement): string {
  const number = (value: number) => value.toLocaleString('en-US')
  const { value, unit, interval, samples } = measurement
  const spread = interval ? ` (95% CI ${number(interval.low)}–${number(interval.high)}${samples === undefined ? '' : `, n = ${number(samples)}`})` : ''
  return `${number(value)} ${unit}${spread}`
}

/** An estimate in `unit`, as the sentences of a verdict show it. */
export const formatEstimate = (estimate: Estimate | QuantileEstimate, unit: TimeUnit): string => formatMeasurement(timing('', estimate, unit))
