import type { Phase, ScaleMode } from './client.ts'
import type { Workload } from './workload.ts'

/** One mode on one instance count, as saved for the demo's lab (`/lab/scale-results.json`). */
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
  roundTripsPer: Partial<Record<Phase, number>>
  /** Of `users` signed-out credentials (in any round), how many GET /api/me still accepted. */
  acceptedAfterLogout: number
  users: number
}

export interface ScaleResults {
  recordedAt: string
  command: string
  machine: { cpus: number; node: string; redis: string }
  workload: Workload & { rounds: number }
  rows: ScaleRow[]
  reading: string[]
}

export const MODE_LABELS: Record<ScaleMode, string> = {
  session: 'session + Redis',
  'jwt-stateless': 'JWT, stateless',
  'jwt-denylist': 'JWT + Redis revocation list',
}
