import { accessToken, labClient, me, median, round, stats, withClient } from '../kit.ts'
import type { Experiment } from '../types.ts'

const N = 30

/** `N` calls of `GET /api/me`: client latency, and the server's work from its counters' deltas. */
async function measure(credential: Parameters<typeof me>[0]): Promise<{ medianMs: number; verifications: number; lookups: number }> {
  const before = await stats()
  const times: number[] = []
  for (let index = 0; index < N; index++) {
    const started = performance.now()
    const response = await me(credential)
    await response.arrayBuffer()
    if (!response.ok) throw new Error(`GET /api/me answered ${response.status}`)
    times.push(performance.now() - started)
  }
  const after = await stats()
  return {
    medianMs: round(median(times)),
    verifications: round((after.signatureVerifications - before.signatureVerifications) / N),
    lookups: round((after.sessionLookups - before.sessionLookups) / N),
  }
}

export const performanceExperiment: Experiment = {
  id: 'performance',
  title: 'Performance',
  claim: 'JWTs are faster: the server verifies a signature instead of looking up a session on every request.',
  async run() {
    const jwt = await withClient(labClient('memory'), async (client) => measure({ bearer: await accessToken(client) }))
    const session = await withClient(labClient('session'), async () => measure('cookies'))
    const faster = jwt.medianMs < session.medianMs
    // Within 20 %, or under a millisecond apart, the difference is noise on a local machine.
    const close = Math.abs(jwt.medianMs - session.medianMs) < Math.max(1, 0.2 * Math.max(jwt.medianMs, session.medianMs))
    return {
      id: 'performance',
      claim: performanceExperiment.claim,
      modes: ['JWT (bearer)', 'session (cookie)'],
      measured: [
        { label: 'JWT median latency', value: jwt.medianMs, unit: 'ms', chart: true },
        { label: 'Session median latency', value: session.medianMs, unit: 'ms', chart: true },
        { label: 'JWT: signature verifications per request', value: jwt.verifications, unit: '/request' },
        { label: 'JWT: session lookups per request', value: jwt.lookups, unit: '/request' },
        { label: 'Session: session lookups per request', value: session.lookups, unit: '/request' },
        { label: 'Session: signature verifications per request', value: session.verifications, unit: '/request' },
      ],
      verdict: close ? 'depends' : faster ? 'agrees' : 'disagrees',
      why: `Over ${N} requests each, the server did ${jwt.verifications} signature verification(s) and ${jwt.lookups} lookups per JWT request, and ${session.lookups} session lookup(s) per session request. Median latency: JWT ${jwt.medianMs} ms, session ${session.medianMs} ms. ${close ? 'The difference is within noise: an in-memory lookup costs about as much as an ES256 verification; a networked session store (Redis, SQL) is what makes sessions slower.' : faster ? 'The JWT was measurably faster here.' : 'The session was faster here: an ES256 verification costs more CPU than an in-memory map lookup.'}`,
    }
  },
}
