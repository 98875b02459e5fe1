import type { AuthClient } from '@authlens/sdk'
import { parseServerTiming } from '../../../lib/server-timing.ts'
import { formatEstimate, timing } from '../format.ts'
import { accessToken, HS256_API, labClient, withClients } from '../kit.ts'
import { loadRecordedChecks } from '../scale-results.ts'
import { medianWithInterval, type Estimate } from '../statistics/bootstrap.ts'
import { comparedWith, lessThan, overall } from '../statistics/verdict.ts'
import type { Experiment } from '../types.ts'

/** Requests per mode that count: enough for intervals a few percent wide around each median. */
const REQUESTS = 1_000
/** Rounds sent first and not counted: the first requests also pay for compiling and warming caches. */
const WARM_UP = 20

interface Mode {
  label: string
  /** The `Server-Timing` step that is this mode's credential check. */
  step: 'verify' | 'lookup'
  client: AuthClient
  /** `GET /api/me` with this mode's credential and nothing else, ready to send. */
  request(): Promise<[string, RequestInit]>
}

interface Samples {
  check: number[]
  /** The revocation-list check that follows a signature check (the demo's main backend keeps a list). */
  list: number[]
  endToEnd: number[]
}

interface Estimates {
  check: Estimate
  list: Estimate | undefined
  endToEnd: Estimate
}

function bearer(label: string, api: string, client: AuthClient): Mode {
  return { label, step: 'verify', client, request: async () => [`${api}/me`, { credentials: 'omit', headers: { Authorization: `Bearer ${await accessToken(client)}` } }] }
}

function modes(): Mode[] {
  const session = labClient('session')
  return [
    bearer('JWT, ES256', '/api', labClient('memory')),
    bearer('JWT, HS256', HS256_API, labClient('memory', {}, HS256_API)),
    { label: 'session, in memory', step: 'lookup', client: session, request: async () => ['/api/me', { credentials: 'same-origin' }] },
  ]
}

/**
 * `REQUESTS` of `GET /api/me` per mode, one at a time, the modes taking turns (and the first turn
 * moving each round), so load elsewhere on the machine falls on every mode alike. The token is
 * read before the clock starts: a refresh the SDK makes then is not part of the request measured.
 */
async function measure(all: Mode[]): Promise<Samples[]> {
  const samples = all.map((): Samples => ({ check: [], list: [], endToEnd: [] }))
  for (let round = 0; round < WARM_UP + REQUESTS; round++) {
    for (let turn = 0; turn < all.length; turn++) {
      const index = (round + turn) % all.length
      const mode = all[index]!
      const [url, init] = await mode.request()
      const started = performance.now()
      const response = await fetch(url, init)
      await response.arrayBuffer()
      const endToEnd = performance.now() - started
      if (!response.ok) throw new Error(`${mode.label}: GET ${url} answered ${response.status}`)
      const metrics = parseServerTiming(response.headers.get('server-timing'))
      const check = metrics.find((metric) => metric.name === mode.step)
      if (!check) throw new Error(`${mode.label}: GET ${url} reported no ${mode.step} step in Server-Timing`)
      if (round < WARM_UP) continue
      const own = samples[index]!
      own.check.push(check.duration)
      own.endToEnd.push(endToEnd)
      const list = metrics.find((metric) => metric.name === 'store')
      if (list) own.list.push(list.duration)
    }
  }
  return samples
}

const estimate = (own: Samples): Estimates => ({
  check: medianWithInterval(own.check),
  list: own.list.length > 0 ? medianWithInterval(own.list) : undefined,
  endToEnd: medianWithInterval(own.endToEnd),
})

const µs = (value: Estimate) => formatEstimate(value, 'µs')
const ms = (value: Estimate) => formatEstimate(value, 'ms')

export const performanceExperiment: Experiment = {
  id: 'performance',
  title: 'Performance',
  claim: 'JWTs are faster: the server verifies a signature instead of looking up a session on every request.',
  needsHttpServer:
    'the checks are timed by a server process. In the worker build the handlers run in this page, whose clock is coarsened to 0.1 ms, longer than an in-memory lookup takes, and the HS256 service is mounted by the dev server.',
  async run() {
    const all = modes()
    const recorded = loadRecordedChecks()
    const samples = await withClients(
      all.map((mode) => mode.client),
      () => measure(all),
    )
    const [es256, hs256, memory] = samples.map(estimate) as [Estimates, Estimates, Estimates]
    const store = await recorded
    const redis = store.kind === 'recorded' ? store.checks : undefined

    // The claim in each setting: the JWT's check takes less time than the session's.
    const remote = redis && lessThan(redis.hs256Verify, redis.redisLookup)
    const verdict = overall([lessThan(es256.check, memory.check), lessThan(hs256.check, memory.check), ...(remote ? [remote] : [])])

    const share = Math.round((100 * Math.max(es256.check.median, hs256.check.median, memory.check.median)) / Math.min(es256.endToEnd.median, hs256.endToEnd.median, memory.endToEnd.median))
    const remoteSentence =
      redis && remote
        ? `A remote session store adds a network round trip: in Redis the lookup took ${µs(redis.redisLookup)}, and the HS256 check beside it ${µs(redis.hs256Verify)}, ${comparedWith(remote)} the round trip (${redis.source}).`
        : `No remote store's round trip to set beside it (${store.kind === 'none' ? store.reason : 'none recorded'}).`
    const conclusion = {
      depends: 'So it depends on where sessions live: in the server’s memory a lookup needs no round trip and costs less than a signature check; in a shared store, the round trip costs more than the signature check.',
      disagrees: 'The session was checked faster in every setting measured.',
      agrees: 'The signature was checked faster in every setting measured.',
    }[verdict]
    return {
      id: 'performance',
      claim: performanceExperiment.claim,
      modes: all.map((mode) => mode.label),
      measured: [
        timing('Server: ES256 signature check', es256.check, 'µs', true),
        timing('Server: HS256 signature check', hs256.check, 'µs', true),
        timing('Server: session lookup, in memory', memory.check, 'µs', true),
        ...(es256.list ? [timing('Server: revocation-list check after the ES256 check, in memory', es256.list, 'µs')] : []),
        ...(redis
          ? [timing('Recorded: session lookup in Redis', redis.redisLookup, 'µs', true), timing('Recorded: HS256 signature check beside it', redis.hs256Verify, 'µs', true)]
          : []),
        timing('End to end from this page: JWT, ES256', es256.endToEnd, 'ms'),
        timing('End to end from this page: JWT, HS256', hs256.endToEnd, 'ms'),
        timing('End to end from this page: session', memory.endToEnd, 'ms'),
      ],
      verdict,
      why: `The server timed its own check of each request (Server-Timing; ${REQUESTS.toLocaleString('en-US')} requests per mode, the modes taking turns; median with 95% CI): ES256 signature ${µs(es256.check)}, HS256 signature ${µs(hs256.check)}, session lookup in memory ${µs(memory.check)}, which cost ${comparedWith(lessThan(memory.check, es256.check))} the ES256 check and ${comparedWith(lessThan(memory.check, hs256.check))} the HS256 check. A signature check is a WebCrypto call that finishes on a worker thread, so it also waits for that thread and for the event loop to take the answer back, which on a busy machine can outweigh the arithmetic itself; the lookup is a synchronous read of a map. ${remoteSentence} ${conclusion} End to end from this page a request took ${ms(es256.endToEnd)} (ES256), ${ms(hs256.endToEnd)} (HS256) and ${ms(memory.endToEnd)} (session): the check is at most ${share}% of that.`,
    }
  },
}
