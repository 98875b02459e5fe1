import type { Verdict } from '../types.ts'

/** A range a true value lies in: a 95 % confidence interval, or a fixed bound (`low === high`). */
export interface Interval {
  low: number
  high: number
}

export const bound = (value: number): Interval => ({ low: value, high: value })

/**
 * "A takes less time than B", judged on intervals, never on medians alone: `agrees` only when A's
 * interval lies wholly below B's, `disagrees` only when wholly above, `depends` when they overlap.
 * A difference within the noise leaves the intervals overlapping, so it reads as `depends` rather
 * than as an answer the next run could reverse.
 */
export function lessThan(a: Interval, b: Interval): Verdict {
  if (a.high < b.low) return 'agrees'
  if (a.low > b.high) return 'disagrees'
  return 'depends'
}

/** How A's time compares with B's, in words, from `lessThan(a, b)`: "A cost less than B". */
export const comparedWith = (verdict: Verdict): string => ({ agrees: 'less than', disagrees: 'more than', depends: 'about as much as' })[verdict]

/** One claim tested in several settings: it holds or fails only if it does so in every one. */
export function overall(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length > 0 && verdicts.every((verdict) => verdict === 'agrees')) return 'agrees'
  if (verdicts.length > 0 && verdicts.every((verdict) => verdict === 'disagrees')) return 'disagrees'
  return 'depends'
}
