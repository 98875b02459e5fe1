/**
 * Which OAuth round trips outlive the page they started on. Signing in leaves the page for the
 * provider and comes back, each a new document; without Preserve log the panel starts over on every
 * new document, so a round trip still in flight is carried into the new page's state: otherwise its
 * callback could not be checked against its request. Carried only while it can still complete, and
 * bounded, so a sign-in that never comes back is forgotten instead of following every later page.
 */

/** `requested`: no response yet; `code`: a code came back, not yet exchanged; `done`: exchanged, or an error or a token-only response. */
export type RoundTripStage = 'requested' | 'code' | 'done'

export interface RoundTripProgress {
  flow: number
  /** When its authorization request was first seen. */
  startedAt: number
  stage: RoundTripStage
}

export interface CarryLimits {
  maxAgeMs: number
  maxRoundTrips: number
}

/**
 * Ten minutes: a person may read a consent screen or fetch a second factor, but a provider's login
 * interaction does not last much longer, and RFC 6749 §4.1.2 recommends ten minutes as the longest
 * an authorization code lives. Five: one sign-in per tab, with room for a few abandoned or retried.
 */
export const CARRY_LIMITS: CarryLimits = { maxAgeMs: 10 * 60_000, maxRoundTrips: 5 }

/** The round trips to carry into the next page: in flight, started within the age limit, the newest few, oldest first. */
export function roundTripsToCarry<R extends RoundTripProgress>(roundTrips: readonly R[], nowMs: number, limits: CarryLimits = CARRY_LIMITS): R[] {
  const inFlight = roundTrips.filter((r) => r.stage !== 'done' && nowMs - r.startedAt <= limits.maxAgeMs).sort((a, b) => a.startedAt - b.startedAt || a.flow - b.flow)
  return inFlight.slice(Math.max(0, inFlight.length - limits.maxRoundTrips))
}
