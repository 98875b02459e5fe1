import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { startCluster, type Cluster } from '../../../mock-server/src/cluster/cluster.ts'
import type { CheckStep } from '../../../demo-spa/src/features/lab/scale-results.ts'
import { median, type Estimate } from '../../../demo-spa/src/features/lab/statistics/bootstrap.ts'
import { table, type Budget } from '../measure.ts'
import type { Phase, ScaleMode } from './client.ts'
import { quietChecks } from './quiet.ts'
import { readScale } from './reading.ts'
import { MODE_LABELS, type ScaleResults, type ScaleRow } from './results.ts'
import { runWorkload, type Workload, type WorkloadResult } from './workload.ts'

const MODES: ScaleMode[] = ['session', 'jwt-stateless', 'jwt-denylist', 'bff']
const INSTANCE_COUNTS = [1, 2, 4]
const WORKLOAD: Workload = { users: 40, concurrency: 16, requestsPerUser: 40, refreshesPerUser: 4 }
const ROUNDS = 5
const QUIET_REQUESTS = 1_000
const resultsFile = fileURLToPath(new URL('../../../demo-spa/public/lab/scale-results.json', import.meta.url))

interface Setup {
  mode: ScaleMode
  instances: number
  cluster: Cluster
  rounds: WorkloadResult[]
  checks: Partial<Record<CheckStep, Estimate>>
}

/**
 * `npm run bench -- scale`: the same workload against real clusters (Redis, N instances of the
 * HTTP runtime, the round-robin proxy; all on loopback) for sessions in Redis, stateless JWTs,
 * JWTs with the revocation list in Redis, and the backend-for-frontend (its sessions in Redis, the
 * API behind it checking the revocation list), on 1, 2 and 4 instances. Every cluster is started first,
 * then the workload runs on each in turn, round after round, so a burst of load elsewhere on the
 * machine spoils one round of one setup, not a whole column; throughput is the median round.
 * Then what each credential check costs apart from the load (see quiet.ts). Saves the results for
 * the demo's lab.
 */
export async function scaleBench(): Promise<{ report: string; budgets: Budget[] }> {
  const setups: Setup[] = []
  try {
    for (const mode of MODES) {
      for (const instances of INSTANCE_COUNTS) {
        // Logins hash with 1,000 PBKDF2 rounds instead of 100,000: the same for every mode, and the
        // figure is about where session state lives, not about password hashing.
        const cluster = await startCluster({ instances, accessTokenDenylist: mode !== 'jwt-stateless', passwordHashIterations: 1_000, bff: mode === 'bff' })
        setups.push({ mode, instances, cluster, rounds: [], checks: {} })
      }
    }
    for (let pass = 0; pass < ROUNDS; pass++) {
      for (let i = 0; i < setups.length; i++) {
        const setup = setups[(i + pass) % setups.length]!
        setup.rounds.push(await runWorkload(setup.cluster.url, setup.mode, WORKLOAD, () => roundTrips(setup.cluster)))
      }
    }
    const checks = await quietChecks(setups.map((setup) => ({ mode: setup.mode, url: setup.cluster.url })), QUIET_REQUESTS)
    for (const [index, setup] of setups.entries()) setup.checks = checks[index]!
  } finally {
    await Promise.all(setups.map((setup) => setup.cluster.stop()))
  }
  const rows = setups.map(summarize)
  const unexpected = setups.flatMap((setup) => setup.rounds.flatMap((result) => result.unexpected.map((line) => `${MODE_LABELS[setup.mode]}, ${setup.instances}: ${line}`)))
  const results: ScaleResults = {
    recordedAt: new Date().toISOString(),
    command: 'npm run bench -- scale',
    machine: { cpus: availableParallelism(), node: process.version, redis: redisVersion() },
    workload: { ...WORKLOAD, rounds: ROUNDS, quietRequests: QUIET_REQUESTS },
    rows,
    reading: readScale(rows, availableParallelism()),
  }
  await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`)
  const failures = unexpected.length > 0 ? `\n\nUnexpected answers (first of each round):\n${unexpected.map((line) => `- ${line}`).join('\n')}` : ''
  return { report: report(results) + failures, budgets: budgets(rows) }
}

async function roundTrips(cluster: Cluster): Promise<number> {
  const stats = await Promise.all(cluster.instances.map(async (instance) => (await fetch(`${instance.url}/__mock/stats`)).json() as Promise<{ storeRoundTrips: number }>))
  return stats.reduce((sum, snapshot) => sum + snapshot.storeRoundTrips, 0)
}

function summarize({ mode, instances, rounds, checks }: Setup): ScaleRow {
  const phases = rounds.flatMap((result) => result.phases)
  const requests = phases.reduce((sum, phase) => sum + phase.requests, 0)
  const perRound = rounds.map((result) => result.phases.reduce((sum, phase) => sum + phase.requests, 0) / (result.phases.reduce((sum, phase) => sum + phase.ms, 0) / 1000))
  const latencies = rounds.flatMap((result) => result.latencies).sort((a, b) => a - b)
  const perPhase = (name: Phase) => {
    const own = phases.filter((phase) => phase.phase === name)
    const count = own.reduce((sum, phase) => sum + phase.requests, 0)
    return count === 0 ? [] : [[name, round(own.reduce((sum, phase) => sum + phase.roundTrips, 0) / count, 2)] as const]
  }
  return {
    mode,
    label: MODE_LABELS[mode],
    instances,
    requests,
    failed: phases.reduce((sum, phase) => sum + phase.failed, 0),
    seconds: round(phases.reduce((sum, phase) => sum + phase.ms, 0) / 1000, 2),
    requestsPerSecond: Math.round(median(perRound)),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    roundTripsPerRequest: round(phases.reduce((sum, phase) => sum + phase.roundTrips, 0) / requests, 2),
    roundTripsPer: Object.fromEntries((['login', 'me', 'refresh', 'logout'] as const).flatMap(perPhase)),
    serverTiming: Object.fromEntries(Object.entries(checks).map(([step, estimate]) => [step, roundEstimate(estimate)])),
    acceptedAfterLogout: Math.max(...rounds.map((result) => result.acceptedAfterLogout)),
    users: WORKLOAD.users,
  }
}

function report(results: ScaleResults): string {
  const byKey = new Map(results.rows.map((row) => [`${row.mode}/${row.instances}`, row]))
  const rows = results.rows.map((row) => {
    const single = byKey.get(`${row.mode}/1`)!
    const stateless = byKey.get(`jwt-stateless/${row.instances}`)!
    return [
      row.label,
      row.instances,
      row.requestsPerSecond.toLocaleString('en-US'),
      `${(row.requestsPerSecond / single.requestsPerSecond).toFixed(2)}×`,
      `${(row.requestsPerSecond / stateless.requestsPerSecond).toFixed(2)}×`,
      row.p50Ms.toFixed(2),
      row.p99Ms.toFixed(2),
      row.roundTripsPerRequest.toFixed(2),
      row.roundTripsPer.me?.toFixed(2) ?? '—',
      row.roundTripsPer.refresh?.toFixed(2) ?? '—',
      microseconds(row.serverTiming.verify),
      microseconds(row.serverTiming.lookup ?? row.serverTiming.store),
      `${row.acceptedAfterLogout}/${row.users}`,
    ]
  })
  const { workload, machine } = results
  return [
    '## Scale-out: sessions in Redis vs stateless JWT vs JWT + Redis revocation list vs BFF',
    '',
    `Each round: ${workload.users} users, ${workload.concurrency} requests in flight: sign in, ${workload.requestsPerUser} × GET /api/me (the BFF: GET /bff/api/me, which it forwards to /api/me), ${workload.refreshesPerUser} refreshes (JWT modes), sign out; through the round-robin proxy. The BFF's sign-in is four requests (the BFF, the provider's page and form, the callback). ${workload.rounds} rounds per setup, setups interleaved; req/s is the median round. ${machine.cpus} CPUs, Node ${machine.node}, Redis ${machine.redis}.`,
    '',
    table(
      ['mode', 'instances', 'req/s', 'vs 1 instance', 'vs stateless', 'p50 ms', 'p99 ms', 'Redis RT/req', 'RT per /api/me', 'RT per refresh', 'HS256 verify µs', 'Redis RT µs', 'old credential accepted after logout'],
      rows,
    ),
    '',
    `HS256 verify and Redis RT: what the instances reported per GET /api/me (Server-Timing \`verify\`, and \`lookup\` or \`store\`) with one request in flight, ${QUIET_REQUESTS.toLocaleString('en-US')} per setup after the rounds, setups taking turns; median [95% interval].`,
    '',
    ...results.reading.map((line) => `- ${line}`),
    '',
    `Saved to demo-spa/public/lab/scale-results.json for the demo's comparison lab.`,
  ].join('\n')
}

function budgets(rows: ScaleRow[]): Budget[] {
  const each = (mode: ScaleMode, test: (row: ScaleRow) => boolean) => rows.filter((row) => row.mode === mode).every(test)
  return [
    { description: 'scale: every request of every run answered as expected', ok: rows.every((row) => row.failed === 0) },
    { description: 'scale: a session request costs exactly one Redis round trip', ok: each('session', (row) => row.roundTripsPer.me === 1) },
    { description: 'scale: a stateless JWT request costs no Redis round trip', ok: each('jwt-stateless', (row) => row.roundTripsPer.me === 0) },
    { description: 'scale: the revocation list brings back one Redis round trip per JWT request', ok: each('jwt-denylist', (row) => row.roundTripsPer.me === 1) },
    { description: 'scale: a request through the BFF costs two Redis round trips (its session, then the API\'s revocation list)', ok: each('bff', (row) => row.roundTripsPer.me === 2) },
    {
      description: 'scale: every instance reports its checks (Server-Timing): a session lookup; a signature check, plus the list check with the revocation list',
      ok:
        each('session', (row) => steps(row) === 'lookup') &&
        each('jwt-stateless', (row) => steps(row) === 'verify') &&
        each('jwt-denylist', (row) => steps(row) === 'verify store') &&
        each('bff', (row) => steps(row) === 'lookup'),
    },
    {
      description: 'scale: after sign-out, sessions and listed JWTs are refused on every instance; stateless JWTs are still accepted',
      ok: rows.every((row) => row.acceptedAfterLogout === (row.mode === 'jwt-stateless' ? row.users : 0)),
    },
  ]
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits))
}

/** To the 0.1 µs the server reports. */
function roundEstimate({ median, low, high, samples }: Estimate): Estimate {
  return { median: round(median, 4), low: round(low, 4), high: round(high, 4), samples }
}

const steps = (row: ScaleRow): string => Object.keys(row.serverTiming).join(' ')

function microseconds(estimate: Estimate | undefined): string {
  if (!estimate) return '—'
  const us = (ms: number) => Math.round(ms * 1000)
  return `${us(estimate.median)} [${us(estimate.low)}–${us(estimate.high)}]`
}

function redisVersion(): string {
  const output = execFileSync(process.env.REDIS_SERVER ?? 'redis-server', ['--version'], { encoding: 'utf8' })
  return /v=(\S+)/.exec(output)?.[1] ?? 'unknown'
}
