import { createLoggedFetch } from './logged-fetch.ts'

/** The part of `GET /__mock/stats` the demo shows; the backend sends more. */
export interface BackendSnapshot {
  clockOffsetSeconds: number
  latencyMs: number
  pendingRefreshFailures: number
  refreshes: number
  reuseDetections: number
  liveSessions: number
  liveRefreshFamilies: number
  /** Refreshes the backend-for-frontend made at the provider, server to server. */
  bffRefreshes: number
}

const loggedFetch = createLoggedFetch()

function readSnapshot(body: unknown): BackendSnapshot {
  const value = (body ?? {}) as Record<string, unknown>
  const number = (name: keyof BackendSnapshot) => (typeof value[name] === 'number' ? value[name] : 0)
  const bff = (value.bff ?? {}) as Record<string, unknown>
  return {
    clockOffsetSeconds: number('clockOffsetSeconds'),
    latencyMs: number('latencyMs'),
    pendingRefreshFailures: number('pendingRefreshFailures'),
    refreshes: number('refreshes'),
    reuseDetections: number('reuseDetections'),
    liveSessions: number('liveSessions'),
    liveRefreshFamilies: number('liveRefreshFamilies'),
    bffRefreshes: typeof bff.refreshes === 'number' ? bff.refreshes : 0,
  }
}

/** The mock backend's `/__mock/*` controls, over HTTP like everything else the page does. */
async function control(path: string, body: Record<string, unknown>): Promise<BackendSnapshot> {
  const response = await loggedFetch(`/__mock/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`/__mock/${path} answered ${response.status}`)
  return readSnapshot(await response.json())
}

export const mockControls = {
  /** Not logged: the page polls it, and the log is for what the auth flow does. */
  async stats(): Promise<BackendSnapshot> {
    const response = await fetch('/__mock/stats')
    if (!response.ok) throw new Error(`/__mock/stats answered ${response.status}`)
    return readSnapshot(await response.json())
  },
  setClockOffset: (offsetSeconds: number) => control('clock', { offsetSeconds }),
  failRefresh: (count: number, mode: '401' | '500') => control('fail-refresh', { count, mode }),
  setLatency: (ms: number) => control('latency', { ms }),
  revoke: (username: string) => control('revoke', { username }),
}
