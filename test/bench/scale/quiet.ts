import type { CheckStep } from '../../../demo-spa/src/features/lab/scale-results.ts'
import { medianWithInterval, type Estimate } from '../../../demo-spa/src/features/lab/statistics/bootstrap.ts'
import { ScaleClient, type ScaleMode, type Timing } from './client.ts'

export interface QuietSetup {
  mode: ScaleMode
  url: string
}

const CHUNK = 100

/**
 * What one credential check costs, apart from the load: under the workload's 16 requests in
 * flight, a step's `Server-Timing` is mostly time spent queued behind other requests on the
 * instance's event loop (milliseconds for a step that alone takes a fraction of one). So, once the
 * rounds are over, one signed-in client per setup sends `requests` GET /api/me one at a time, in
 * chunks that take turns across the setups, so that a burst of load elsewhere on the machine
 * touches every setup alike. Answers each setup's steps: median and 95 % interval, in ms.
 */
export async function quietChecks(setups: QuietSetup[], requests: number): Promise<Array<Partial<Record<CheckStep, Estimate>>>> {
  const timings = setups.map((): Timing[] => [])
  const clients = setups.map(({ url, mode }, index) => new ScaleClient(url, mode, index, (timing) => timings[index]!.push(timing)))
  for (const client of clients) await client.login()
  for (let chunk = 0; chunk < requests / CHUNK; chunk++) {
    for (let turn = 0; turn < clients.length; turn++) {
      const client = clients[(turn + chunk) % clients.length]!
      for (let request = 0; request < CHUNK; request++) await client.me()
    }
  }
  for (const client of clients) await client.logout()
  return timings.map((own) => {
    const browsing = own.filter((timing) => timing.phase === 'me')
    const steps = (['verify', 'lookup', 'store'] as const).flatMap((step) => {
      const durations = browsing.flatMap((timing) => timing.server.filter((metric) => metric.name === step).map((metric) => metric.duration))
      return durations.length === 0 ? [] : [[step, medianWithInterval(durations)] as const]
    })
    return Object.fromEntries(steps)
  })
}
