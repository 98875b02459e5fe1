import { useDemo } from '../../../app/demo-store.ts'
import { logMark } from '../../../app/log-store.ts'
import { mockControls } from '../../../app/mock-controls.ts'
import { httpLines, probeNotes, sawStatus } from '../probe.ts'
import { isSession, needsSignIn, type BreakAction } from '../types.ts'

const SKEW_SECONDS = 120

export const skewClock: BreakAction = {
  id: 'skew-clock',
  title: 'Skew the server clock',
  explain:
    'Puts the server’s clock 2 minutes behind this computer’s, then loads the notes. The current JWT now looks issued in the server’s future: 401, one refresh, retry; the SDK then keeps time by the server. A session is judged on the server’s clock alone: nothing changes.',
  button: 'Skew by −2 min',
  unavailable: (_mode, signedIn) => needsSignIn(signedIn),
  async run({ mode }) {
    const before = (await useDemo.getState().syncBackend())?.clockOffsetSeconds ?? 0
    await mockControls.setClockOffset(before - SKEW_SECONDS)
    await useDemo.getState().syncBackend()
    const mark = logMark()
    const probe = await probeNotes()
    const steps = [`Moved the server clock ${SKEW_SECONDS} s back (now ${before - SKEW_SECONDS} s against this computer’s).`, ...httpLines(mark)]
    if (!probe.ok) return { tone: 'bad', summary: `The request failed: ${probe.failure ?? 'unknown'}.`, steps }
    if (isSession(mode)) return { tone: 'ok', summary: 'Nothing visible: the session is checked on the server’s clock only.', steps }
    return sawStatus(mark, 401)
      ? { tone: 'ok', summary: 'The server refused the token as not yet valid; the SDK refreshed once, retried, and now runs on the server’s time.', steps }
      : { tone: 'ok', summary: 'The request succeeded.', steps }
  },
}
