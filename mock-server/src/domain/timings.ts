import type { Awaitable } from './awaitable.ts'

/**
 * The server's own work on one request, step by step. A client's clock measures the network, the
 * browser and the server together; these are the server's share alone, which the handlers send
 * as `Server-Timing` (W3C Server Timing) so the demo can compare what the claims are about.
 *
 * - `verify`: a JWT's signature and claims
 * - `lookup`: finding a session (and sliding its expiry)
 * - `store`: the other state the server keeps: the revocation list, refresh families, new sessions
 * - `sign`: signing an access token
 * - `password`: checking a password hash
 * - `dpop`: checking a DPoP proof (RFC 9449): its signature and claims
 */
export type TimedStep = 'verify' | 'lookup' | 'store' | 'sign' | 'password' | 'dpop'

export interface Timings {
  add(step: TimedStep, ms: number): void
}

/** Runs `work` as `step`. A refused credential took the same work, so a throw is timed too. */
export async function timed<T>(timings: Timings | undefined, step: TimedStep, work: () => Awaitable<T>): Promise<T> {
  if (!timings) return work()
  const started = performance.now()
  try {
    return await work()
  } finally {
    timings.add(step, performance.now() - started)
  }
}
