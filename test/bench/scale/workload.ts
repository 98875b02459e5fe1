import { ScaleClient, SIGN_INS_PER_ACCOUNT, type Phase, type ScaleMode, type Timing } from './client.ts'

export interface Workload {
  /** Virtual users, each signing in once. */
  users: number
  /** Requests in flight at once. */
  concurrency: number
  /** GET /api/me per user. */
  requestsPerUser: number
  /** Refreshes per user (JWT modes). */
  refreshesPerUser: number
}

export interface PhaseResult {
  phase: Phase
  requests: number
  failed: number
  ms: number
  /** Round trips to Redis by every instance during this phase. */
  roundTrips: number
}

export interface WorkloadResult {
  phases: PhaseResult[]
  /** Every request of the phases, in milliseconds. */
  latencies: number[]
  /** Users whose credential still got a 200 from GET /api/me after they signed out. */
  acceptedAfterLogout: number
  /** The first few unexpected answers, if any. */
  unexpected: string[]
}

/**
 * The same workload for every mode and instance count: all users sign in, then browse (GET
 * /api/me), then refresh, then sign out, phase after phase, so the Redis round trips of each kind
 * of request can be read from the instances' counters between phases. Bounded: a fixed number of
 * requests, each with a timeout.
 */
export async function runWorkload(
  url: string,
  mode: ScaleMode,
  workload: Workload,
  readRoundTrips: () => Promise<number>,
): Promise<WorkloadResult> {
  const timings: Timing[] = []
  const clients = Array.from({ length: workload.users }, (_, index) => new ScaleClient(url, mode, index, (timing) => timings.push(timing)))
  const phases: PhaseResult[] = []

  const phase = async (name: Phase, run: () => Promise<void>) => {
    const before = await readRoundTrips()
    const first = timings.length
    const start = performance.now()
    await run()
    const ms = performance.now() - start
    const own = timings.slice(first)
    phases.push({ phase: name, requests: own.length, failed: own.filter((timing) => !timing.ok).length, ms, roundTrips: (await readRoundTrips()) - before })
  }

  const everyone = (task: (client: ScaleClient) => Promise<void>) => () => inPool(clients, workload.concurrency, task)
  const accounts = new Set(clients.map((client) => client.account))
  await phase('login', async () => {
    const perAccount = Math.min(SIGN_INS_PER_ACCOUNT, Math.ceil(workload.concurrency / accounts.size))
    await Promise.all([...accounts].map((account) => inPool(clients.filter((client) => client.account === account), perAccount, (client) => client.login())))
  })
  await phase(
    'me',
    everyone(async (client) => {
      for (let i = 0; i < workload.requestsPerUser; i++) await client.me()
    }),
  )
  await phase(
    'refresh',
    everyone(async (client) => {
      for (let i = 0; i < workload.refreshesPerUser; i++) await client.refresh()
    }),
  )
  await phase('logout', everyone((client) => client.logout()))

  let acceptedAfterLogout = 0
  await inPool(clients, workload.concurrency, async (client) => {
    if ((await client.me(mode === 'jwt-stateless' ? 200 : 401)) === 200) acceptedAfterLogout++
  })
  return {
    phases: phases.filter((result) => result.requests > 0),
    latencies: timings.map((timing) => timing.ms),
    acceptedAfterLogout,
    unexpected: timings.flatMap((timing) => (timing.unexpected ? [timing.unexpected] : [])).slice(0, 3),
  }
}

async function inPool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await task(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
