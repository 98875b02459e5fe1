/**
 * The last results of `npm run bench -- scale` (test/bench/scale), saved as a static file: the
 * demo cannot start Redis or backend instances itself, so it shows what was recorded, and when.
 */
export type ScaleMode = 'session' | 'jwt-stateless' | 'jwt-denylist'

export type ScalePhase = 'login' | 'me' | 'refresh' | 'logout'

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
  /** Of `users` signed-out credentials (in any round), how many GET /api/me still accepted. */
  acceptedAfterLogout: number
  users: number
}

export interface ScaleResults {
  recordedAt: string
  command: string
  machine: { cpus: number; node: string; redis: string }
  workload: { users: number; concurrency: number; requestsPerUser: number; refreshesPerUser: number; rounds: number }
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
