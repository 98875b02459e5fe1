export type RefreshFailure = '401' | '500' | 'timeout'

/** Faults the demo's break-it controls inject. */
export interface Faults {
  latencyMs: number
  failRefresh: { remaining: number; mode: RefreshFailure }
}

export function createFaults(): Faults {
  return { latencyMs: 0, failRefresh: { remaining: 0, mode: '500' } }
}

/** Takes one injected refresh failure, if any are left. */
export function takeRefreshFailure(faults: Faults): RefreshFailure | undefined {
  if (faults.failRefresh.remaining <= 0) return undefined
  faults.failRefresh.remaining--
  return faults.failRefresh.mode
}
