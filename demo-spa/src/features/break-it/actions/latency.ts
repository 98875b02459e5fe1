import { useDemo } from '../../../app/demo-store.ts'
import { logMark } from '../../../app/log-store.ts'
import { mockControls } from '../../../app/mock-controls.ts'
import { httpLines, probeNotes } from '../probe.ts'
import type { BreakAction } from '../types.ts'

export const latency: BreakAction = {
  id: 'latency',
  title: 'Add latency',
  explain:
    'Makes the server wait before every API answer, like a slow network. Everything slows down, nothing breaks: the SDK refreshes ahead of expiry and its own deadline (10 s) is well above these delays.',
  button: 'Set latency',
  choices: {
    label: 'Delay',
    options: [
      { value: '1500', label: '1.5 s' },
      { value: '3000', label: '3 s' },
      { value: '0', label: 'none' },
    ],
  },
  unavailable: () => null,
  async run({ connection, choice }) {
    const ms = Number(choice) || 0
    await mockControls.setLatency(ms)
    await useDemo.getState().syncBackend()
    if (ms === 0) return { tone: 'ok', summary: 'Latency removed.', steps: [] }
    const signedIn = connection.client.getState().status !== 'anonymous'
    if (!signedIn) return { tone: 'ok', summary: `Every API answer now waits ${ms / 1000} s. Sign in to feel it.`, steps: [] }
    const mark = logMark()
    const started = performance.now()
    const probe = await probeNotes()
    const took = ((performance.now() - started) / 1000).toFixed(2)
    return {
      tone: probe.ok ? 'ok' : 'bad',
      summary: probe.ok ? `Slow, not broken: loading the notes took ${took} s.` : `The request failed: ${probe.failure ?? 'unknown'}.`,
      steps: httpLines(mark),
    }
  },
}
