/**
 * The last results of `npm run bench -- scale` (test/bench/scale), saved as a static file: the
 * demo cannot start Redis or backend instances itself, so it shows what was recorded, and when.
 */
export interface ScaleRow {
  mode: 'session' | 'jwt-stateless' | 'jwt-denylist'
  label: string
  instances: number
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  roundTripsPerRequest: number
  roundTripsPer: { me?: number; refresh?: number; login?: number; logout?: number }
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
