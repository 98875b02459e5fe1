export type RefreshFailure = '401' | '500' | 'timeout'

/**
 * CSRF defences the comparison lab takes away one by one, to show what each one stops. The
 * defaults are the real ones; only `/__mock/csrf-defences` (a control route) changes them.
 */
export interface CsrfDefences {
  /** SameSite of the session cookie set at the next sign-in. */
  sessionCookieSameSite: 'Lax' | 'None'
  /** The double-submit token check on cookie-authenticated writes. */
  tokenCheck: boolean
  /** Whether the notes API also takes what a cross-site HTML form can send (see `readFields`). */
  formBodies: boolean
}

/** Faults the demo's break-it controls inject. */
export interface Faults {
  latencyMs: number
  failRefresh: { remaining: number; mode: RefreshFailure }
  csrf: CsrfDefences
}

export function createFaults(): Faults {
  return { latencyMs: 0, failRefresh: { remaining: 0, mode: '500' }, csrf: { sessionCookieSameSite: 'Lax', tokenCheck: true, formBodies: false } }
}

/** Takes one injected refresh failure, if any are left. */
export function takeRefreshFailure(faults: Faults): RefreshFailure | undefined {
  if (faults.failRefresh.remaining <= 0) return undefined
  faults.failRefresh.remaining--
  return faults.failRefresh.mode
}
