import { isAuthError, type AuthClient } from '@authlens/sdk'
import { oidcApp } from '../backend-options.ts'
import { isRedirectCallback } from '../features/sso/provider-sign-in.ts'
import { LAB_PARAM, type LabReport } from './lab-protocol.ts'

/** The runs so far, kept in this window's sessionStorage across the trips to the provider. */
interface LabRun {
  runs: number
  samples: number[]
  refused: string[]
  /** Local milliseconds when the current run asked the provider. */
  startedAt?: number
}

const KEY = 'authlens-demo:lab-run'
const MAX_RUNS = 100

const load = (): LabRun | null => {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as LabRun | null
  } catch {
    return null
  }
}

/** What this page is for the lab: nothing, a window waiting for its turn, or a run in progress. */
export function labRole(url: URL): 'none' | 'waiting' | 'running' {
  const asked = url.searchParams.get(LAB_PARAM)
  if (asked === 'wait') return 'waiting'
  return asked !== null || load() !== null ? 'running' : 'none'
}

/**
 * One step of the lab's run, per page load: finish the sign-in the provider sent back, then ask
 * again (`prompt=none`: single sign-on or `login_required`, never a page) until the runs are done,
 * then report to the opener on A's origin, the only origin allowed to read it.
 */
export async function continueLabRun(client: AuthClient, url: URL): Promise<LabRun> {
  const asked = Number(url.searchParams.get(LAB_PARAM))
  const run: LabRun = url.searchParams.has(LAB_PARAM) ? { runs: Number.isInteger(asked) ? Math.min(Math.max(asked, 1), MAX_RUNS) : 1, samples: [], refused: [] } : (load() ?? { runs: 0, samples: [], refused: [] })
  if (isRedirectCallback(url) && run.startedAt !== undefined) {
    try {
      await client.handleRedirectCallback()
      run.samples.push(Date.now() - run.startedAt)
    } catch (error) {
      run.refused.push(isAuthError(error) ? error.code : 'unexpected')
    }
  }
  if (run.samples.length + run.refused.length < run.runs) {
    sessionStorage.setItem(KEY, JSON.stringify({ ...run, startedAt: Date.now() }))
    try {
      await client.login({ prompt: 'none' })
      return run
    } catch (error) {
      // Could not even leave (discovery failed, say): the run ends here and says why.
      run.refused.push(isAuthError(error) ? error.code : 'unexpected')
      run.runs = run.samples.length + run.refused.length
    }
  }
  sessionStorage.removeItem(KEY)
  const { aud, sid } = client.getState().user ?? {}
  const report: LabReport = { source: 'authlens-lab-app-b', samples: run.samples, refused: run.refused, aud: typeof aud === 'string' ? aud : '', sid: typeof sid === 'string' ? sid : '' }
  window.opener?.postMessage(report, oidcApp('a', location.port).origin)
  return run
}
