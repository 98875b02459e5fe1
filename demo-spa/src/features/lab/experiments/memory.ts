import { failure, round } from '../kit.ts'
import type { Experiment } from '../types.ts'

const SESSIONS = 10_000

/** The answer of `POST /__mock/memory-probe` (mock-server/src/handlers/memory-probe.ts). */
interface MemoryProbe {
  sessions: number
  bytesPerSession: number
  totalBytes: number
  jwts: number
  jwtServerEntries: number
  jwtHeapDeltaBytes: number
  method: string
}

/**
 * Checked in the unit runs: bytes per session stay at ~340–375 for 2,000 to 20,000 sessions, while
 * the JWT heap change stays at 50–150 KiB whatever the count, so only the sessions scale.
 *
 * The page cannot see the server's heap, so the server measures itself: it fills a separate,
 * throwaway session store (the live one is untouched) and reads its heap before and after, then
 * issues and verifies as many JWTs, for which it keeps nothing.
 */
export const memory: Experiment = {
  id: 'memory',
  title: 'Server memory load',
  claim: 'Sessions need server memory per active user; JWTs don’t.',
  needsHttpServer: 'the server measures its own heap, and a service worker has no server heap to measure (/__mock/memory-probe answers 501).',
  async run() {
    const response = await fetch('/__mock/memory-probe', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sessions: SESSIONS }) })
    // 501 in the static build: the service worker has no server heap to measure.
    if (!response.ok) throw new Error(`/__mock/memory-probe answered ${await failure(response)}`)
    const probe = (await response.json()) as MemoryProbe
    const agrees = probe.bytesPerSession > 0 && probe.jwtServerEntries === 0
    return {
      id: 'memory',
      claim: memory.claim,
      modes: ['session (server store)', 'JWT (stateless)'],
      measured: [
        { label: 'Per session held', value: probe.bytesPerSession, unit: 'bytes', chart: true },
        { label: `${probe.sessions.toLocaleString('en')} sessions held`, value: round(probe.totalBytes / 1024 / 1024), unit: 'MiB' },
        { label: 'JWT entries held by the server', value: probe.jwtServerEntries, unit: 'entries' },
        { label: `Heap change after ${probe.jwts.toLocaleString('en')} JWTs issued and verified`, value: round(probe.jwtHeapDeltaBytes / 1024), unit: 'KiB' },
      ],
      verdict: agrees ? 'agrees' : 'disagrees',
      why: `${probe.sessions.toLocaleString('en')} active sessions held ${round(probe.totalBytes / 1024 / 1024)} MiB of server heap, about ${probe.bytesPerSession} bytes each (id, CSRF token, user id, timestamps, map entry), growing linearly with active users and needing a shared store once there is more than one server. The same number of JWTs were issued and verified and the server kept no entry for any of them (heap change ${round(probe.jwtHeapDeltaBytes / 1024)} KiB in all: a roughly fixed amount of runtime noise that does not grow with the number of tokens, unlike the sessions). The catch: revoking JWTs before exp needs a denylist, which is server state again. Method: ${probe.method}.`,
    }
  },
}
