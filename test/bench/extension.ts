import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createInspector } from '../../extension/src/core/inspector.ts'
import { exchange } from '../../extension/src/core/testing/observations.ts'
import { makeJwt } from '../../extension/src/core/testing/tokens.ts'
import { table, type Budget } from './measure.ts'

const T0 = Date.UTC(2026, 0, 1, 12)
const API = 'https://app.example.com/api'
const seconds = (ms: number) => Math.floor(ms / 1000)

// Heap readings mean little without a collection first; expose gc for this process only.
v8.setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heap = () => {
  gc()
  return process.memoryUsage().heapUsed
}

type Scenario = 'same token' | 'new JWT every event'

function event(scenario: Scenario, i: number) {
  const iat = scenario === 'same token' ? T0 : T0 + i * 1000
  const token = makeJwt({ iss: 'https://app.example.com', aud: 'authlens-api', sub: 'u1', iat: seconds(iat), exp: seconds(iat) + 60, jti: scenario === 'same token' ? 'j' : `j${i}` })
  return exchange({ at: T0 + i, url: `${API}/notes/${i}`, requestHeaders: { Authorization: `Bearer ${token}` }, status: i % 7 ? 200 : 401 })
}

/**
 * Feeds events in two halves: the second half must cost no more, and hold no more memory. Each
 * half's events are built before its clock starts and released before its heap reading.
 */
function run(scenario: Scenario, total: number) {
  const inspector = createInspector()
  const feed = (from: number, to: number) => {
    const events = Array.from({ length: to - from }, (_, i) => event(scenario, from + i))
    const start = performance.now()
    for (const observation of events) inspector.ingest(observation)
    return performance.now() - start
  }
  const half = total / 2
  const base = heap()
  const firstMs = feed(0, half)
  const afterFirst = heap()
  const secondMs = feed(half, total)
  const afterSecond = heap()
  const snapshot = inspector.snapshot()
  return {
    scenario,
    firstUs: (firstMs * 1000) / half,
    secondUs: (secondMs * 1000) / half,
    firstHalfBytes: afterFirst - base,
    secondHalfBytes: afterSecond - afterFirst,
    timeline: snapshot.timeline.length,
    dropped: snapshot.dropped,
    tokens: snapshot.tokens.length,
  }
}

/** E11: 10,000 events through the extension core and its capped buffers (20,000 to show the cap). */
export async function extensionBench(): Promise<{ report: string; budgets: Budget[] }> {
  const results = (['same token', 'new JWT every event'] as const).map((scenario) => run(scenario, 20_000))
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`
  const report = [
    '## Extension core: 20,000 network events through the inspector (E11)',
    '',
    table(
      ['events', 'µs/event, first 10k', 'µs/event, next 10k', 'heap held, first 10k', 'heap added, next 10k', 'timeline kept', 'dropped', 'tokens kept'],
      results.map((result) => [
        result.scenario,
        result.firstUs.toFixed(1),
        result.secondUs.toFixed(1),
        kib(result.firstHalfBytes),
        kib(result.secondHalfBytes),
        result.timeline,
        result.dropped,
        result.tokens,
      ]),
    ),
    '',
    'Heap after a forced collection. The buffers are capped (timeline, tokens), so the second 10,000 events',
    'replace entries instead of adding them.',
  ].join('\n')
  const budgets: Budget[] = results.flatMap((result) => [
    {
      description: `extension core, ${result.scenario}: the next 10,000 events cost ≤ 1.5× the first 10,000 (${(result.secondUs / result.firstUs).toFixed(2)}×)`,
      ok: result.secondUs <= 1.5 * result.firstUs,
    },
    {
      description: `extension core, ${result.scenario}: memory stays bounded — the next 10,000 events add ≤ 25% of what the first held (${kib(result.secondHalfBytes)} vs ${kib(result.firstHalfBytes)})`,
      ok: result.secondHalfBytes <= 0.25 * Math.max(result.firstHalfBytes, 64 * 1024),
    },
  ])
  return { report, budgets }
}
