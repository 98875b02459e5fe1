/**
 * Expiry and clock-skew maths. Three clocks disagree: this machine's, the issuer's (`iat`, `nbf`,
 * `exp`) and the API server's (`Date` response header). A countdown on the local clock alone is
 * wrong by the local skew, which is why the panel shows remaining time both ways (E19) and the
 * audit reports skew (J6, E8).
 */

export interface ServerClockSample {
  /** Server time minus local time, in milliseconds. */
  offsetMs: number
  /** ± bound: the `Date` header's 1 s resolution plus half the round trip. */
  uncertaintyMs: number
  at: number
}

export interface ClockEstimate {
  offsetMs: number
  uncertaintyMs: number
  samples: number
}

export type ExpiryState = 'valid' | 'expired' | 'not-yet-valid' | 'no-exp'

export interface ExpiryView {
  state: ExpiryState
  /** Which clock decided `state`: the server-estimated one when a `Date` header was seen. */
  basis: 'server' | 'local'
  expiresAtMs: number | null
  issuedAtMs: number | null
  notBeforeMs: number | null
  /** `exp` minus the local clock. */
  remainingLocalMs: number | null
  /** `exp` minus the server-estimated clock; null until a `Date` header was seen. */
  remainingServerMs: number | null
  /** `exp − iat`. */
  lifetimeMs: number | null
}

export type SkewKind = 'none' | 'local-clock-behind' | 'issuer-clock-ahead' | 'future-iat'

export interface SkewAssessment {
  kind: SkewKind
  claim: 'iat' | 'nbf' | null
  /** How far the claim is ahead of the local clock when the token was first seen. */
  aheadOfLocalMs: number
  /** How far it is ahead of the server-estimated clock; null without a `Date` sample. */
  aheadOfServerMs: number | null
}

/** RFC 7519 §2 NumericDate: seconds since the epoch, possibly fractional. Returns milliseconds. */
export function numericDateMs(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e11 ? value * 1000 : null
}

/**
 * One offset sample from a response: the server stamped `Date` somewhere between sending and
 * receiving, truncated to the second (RFC 9110 §5.6.7), so its midpoint is `Date + 500 ms`.
 */
export function serverClockSample(dateHeader: string, receivedAtMs: number, sentAtMs = receivedAtMs): ServerClockSample | null {
  const serverMs = Date.parse(dateHeader)
  if (!Number.isFinite(serverMs) || sentAtMs > receivedAtMs) return null
  const localMidpoint = (sentAtMs + receivedAtMs) / 2
  return { offsetMs: serverMs + 500 - localMidpoint, uncertaintyMs: 500 + (receivedAtMs - sentAtMs) / 2, at: receivedAtMs }
}

/** The median of recent samples: one slow or proxied response does not move the estimate. */
export function estimateServerClock(samples: readonly ServerClockSample[]): ClockEstimate | null {
  if (samples.length === 0) return null
  const offsets = samples.map((s) => s.offsetMs).sort((a, b) => a - b)
  const middle = offsets.length / 2
  const offsetMs = offsets.length % 2 === 1 ? (offsets[Math.floor(middle)] ?? 0) : ((offsets[middle - 1] ?? 0) + (offsets[middle] ?? 0)) / 2
  return { offsetMs, uncertaintyMs: Math.min(...samples.map((s) => s.uncertaintyMs)), samples: samples.length }
}

export function expiryView(claims: Record<string, unknown>, nowMs: number, clock: ClockEstimate | null = null, toleranceMs = 0): ExpiryView {
  const expiresAtMs = numericDateMs(claims['exp'])
  const issuedAtMs = numericDateMs(claims['iat'])
  const notBeforeMs = numericDateMs(claims['nbf'])
  const serverNow = clock ? nowMs + clock.offsetMs : null
  const judgeNow = serverNow ?? nowMs
  let state: ExpiryState = 'valid'
  if (expiresAtMs === null) state = 'no-exp'
  if (expiresAtMs !== null && judgeNow >= expiresAtMs + toleranceMs) state = 'expired'
  else if (notBeforeMs !== null && judgeNow + toleranceMs < notBeforeMs) state = 'not-yet-valid'
  return {
    state,
    basis: clock ? 'server' : 'local',
    expiresAtMs,
    issuedAtMs,
    notBeforeMs,
    remainingLocalMs: expiresAtMs === null ? null : expiresAtMs - nowMs,
    remainingServerMs: expiresAtMs === null || serverNow === null ? null : expiresAtMs - serverNow,
    lifetimeMs: expiresAtMs === null || issuedAtMs === null ? null : expiresAtMs - issuedAtMs,
  }
}

/**
 * A token cannot have been issued after it was first seen. If `iat`/`nbf` is later than that (E8),
 * some clock is wrong; the server `Date` says which: if the claim fits the server's clock, the local
 * clock is behind; if it is ahead of the server too, the issuer's clock is ahead.
 */
export function assessIssuedAtSkew(
  claims: Record<string, unknown>,
  firstSeenLocalMs: number,
  clock: ClockEstimate | null,
  toleranceMs: number,
): SkewAssessment {
  const candidates = [
    ['iat', numericDateMs(claims['iat'])],
    ['nbf', numericDateMs(claims['nbf'])],
  ] as const
  let claim: 'iat' | 'nbf' | null = null
  let claimMs = Number.NEGATIVE_INFINITY
  for (const [name, ms] of candidates) {
    if (ms !== null && ms > claimMs) [claim, claimMs] = [name, ms]
  }
  if (claim === null) return { kind: 'none', claim: null, aheadOfLocalMs: 0, aheadOfServerMs: null }
  const aheadOfLocalMs = claimMs - firstSeenLocalMs
  const aheadOfServerMs = clock ? claimMs - (firstSeenLocalMs + clock.offsetMs) : null
  const serverTolerance = toleranceMs + (clock?.uncertaintyMs ?? 0)
  let kind: SkewKind = 'none'
  if (aheadOfLocalMs > toleranceMs) {
    if (aheadOfServerMs === null) kind = 'future-iat'
    else kind = aheadOfServerMs > serverTolerance ? 'issuer-clock-ahead' : 'local-clock-behind'
  } else if (aheadOfServerMs !== null && aheadOfServerMs > serverTolerance) kind = 'issuer-clock-ahead'
  return { kind, claim, aheadOfLocalMs, aheadOfServerMs }
}

/** `1h 02m`, `4m 05s`, `12s`, `3d 4h`; negative durations read as `-4m 05s`. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : ''
  const total = Math.floor(Math.abs(ms) / 1000)
  const days = Math.floor(total / 86_400)
  const hours = Math.floor((total % 86_400) / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  const two = (n: number) => String(n).padStart(2, '0')
  if (days > 0) return `${sign}${days}d ${hours}h`
  if (hours > 0) return `${sign}${hours}h ${two(minutes)}m`
  if (minutes > 0) return `${sign}${minutes}m ${two(seconds)}s`
  return `${sign}${seconds}s`
}
