import { oidcApp } from '../backend-options.ts'

/**
 * How the lab (on app A's origin) has app B measure its single sign-on in a window of B's own
 * origin: it opens B with `?lab=wait` at the Run click, navigates it to `?lab=N` when the
 * experiment's turn comes, and B posts its report back to the opener, to A's origin only.
 */
export const LAB_PARAM = 'lab'
export const LAB_WINDOW = 'authlens-lab-app-b'

export interface LabReport {
  source: 'authlens-lab-app-b'
  /** Milliseconds from asking the provider (`login({ prompt: 'none' })`) to signed in, per run. */
  samples: number[]
  /** The error code of each run that did not sign in. */
  refused: string[]
  /** The last ID token's audience and provider session (`sid`), or '' without one. */
  aud: string
  sid: string
}

/** App B's page in lab mode, on the port this page was served from: `wait`, or N silent sign-ins. */
export const labRunUrl = (runs: number | 'wait'): string => {
  const url = new URL(oidcApp('b', location.port).home)
  url.searchParams.set(LAB_PARAM, String(runs))
  return url.href
}

const numbers = (value: unknown): value is number[] => Array.isArray(value) && value.every((item) => typeof item === 'number' && Number.isFinite(item))

/** A report from app B's lab window, checked field by field: a message is input like any other. */
export function isLabReport(value: unknown): value is LabReport {
  const report = value as Partial<LabReport> | null
  const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string')
  return report?.source === 'authlens-lab-app-b' && numbers(report.samples) && strings(report.refused) && strings([report.aud, report.sid])
}
