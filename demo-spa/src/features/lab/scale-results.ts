import type { Estimate } from './statistics/bootstrap.ts'

/**
 * The last results of `npm run bench -- scale` (test/bench/scale), saved as a static file: the
 * demo cannot start Redis or backend instances itself, so it shows what was recorded, and when.
 */
export type ScaleMode = 'session' | 'jwt-stateless' | 'jwt-denylist' | 'bff'

export type ScalePhase = 'login' | 'me' | 'refresh' | 'logout'

/** The steps of a credential check that `Server-Timing` names: signature, session lookup, other store state. */
export type CheckStep = 'verify' | 'lookup' | 'store'

/** One mode on one instance count. The file format is defined here, where it is read; the bench writes it. */
export interface ScaleRow {
  mode: ScaleMode
  label: string
  instances: number
  requests: number
  failed: number
  seconds: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Redis round trips of all instances over all requests. */
  roundTripsPerRequest: number
  /** Redis round trips per request of each phase. */
  roundTripsPer: Partial<Record<ScalePhase, number>>
  /**
   * What the instances said they spent on each step of GET /api/me (`Server-Timing`), in ms, with
   * one request in flight (`workload.quietRequests` of them, after the load rounds): with a Redis
   * store, `lookup` (sessions) and `store` (revocation list) are one round trip each.
   */
  serverTiming: Partial<Record<CheckStep, Estimate>>
  /** Of `users` signed-out credentials (in any round), how many GET /api/me still accepted. */
  acceptedAfterLogout: number
  users: number
}

export interface ScaleResults {
  recordedAt: string
  command: string
  machine: { cpus: number; node: string; redis: string }
  workload: { users: number; concurrency: number; requestsPerUser: number; refreshesPerUser: number; rounds: number; quietRequests: number }
  rows: ScaleRow[]
  reading: string[]
}

export type ScaleLoad = { kind: 'loading' } | { kind: 'none'; reason: string } | { kind: 'results'; results: ScaleResults }

export const SCALE_RESULTS_URL = `${import.meta.env.BASE_URL}lab/scale-results.json`

export async function loadScaleResults(): Promise<ScaleLoad> {
  let response: Response
  try {
    response = await fetch(SCALE_RESULTS_URL, { cache: 'no-store' })
  } catch (error) {
    return { kind: 'none', reason: `could not fetch ${SCALE_RESULTS_URL}: ${(error as Error).message}` }
  }
  if (!response.ok) return { kind: 'none', reason: `${SCALE_RESULTS_URL} answered ${response.status}` }
  try {
    const results = (await response.json()) as ScaleResults
    if (!Array.isArray(results.rows) || results.rows.length === 0 || Number.isNaN(Date.parse(results.recordedAt))) {
      return { kind: 'none', reason: `${SCALE_RESULTS_URL} holds no results` }
    }
    return { kind: 'results', results }
  } catch {
    return { kind: 'none', reason: `${SCALE_RESULTS_URL} is not JSON` }
  }
}

/** What the bench recorded for the credential checks with Redis, for the live lab to set beside its own. */
export interface RecordedChecks {
  /** A session lookup in Redis: one round trip (1 instance, one request at a time). */
  redisLookup: Estimate
  /** The HS256 signature check, measured the same way on the same machine. */
  hs256Verify: Estimate
  /** Where the numbers come from and when they were recorded, in words. */
  source: string
}

export type RecordedChecksLoad = { kind: 'recorded'; checks: RecordedChecks } | { kind: 'none'; reason: string }

export async function loadRecordedChecks(): Promise<RecordedChecksLoad> {
  const load = await loadScaleResults()
  if (load.kind !== 'results') return { kind: 'none', reason: load.kind === 'none' ? load.reason : 'not loaded' }
  const { results } = load
  const single = (mode: ScaleMode) => results.rows.find((row) => row.mode === mode && row.instances === 1)?.serverTiming
  const redisLookup = single('session')?.lookup
  const hs256Verify = single('jwt-stateless')?.verify
  if (!redisLookup || !hs256Verify) return { kind: 'none', reason: `${SCALE_RESULTS_URL} has no check timings (recorded before they were measured)` }
  const { machine, workload } = results
  return {
    kind: 'recorded',
    checks: {
      redisLookup,
      hs256Verify,
      source: `recorded by ${results.command} on ${results.recordedAt.slice(0, 10)}: ${workload.quietRequests.toLocaleString('en-US')} GET /api/me one at a time to 1 instance, Redis ${machine.redis} on loopback, ${machine.cpus} CPUs`,
    },
  }
}
