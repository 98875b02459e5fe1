import { serverNow, useDemo } from '../../../app/demo-store.ts'
import { logMark } from '../../../app/log-store.ts'
import { mockControls } from '../../../app/mock-controls.ts'
import { httpLines, isSignedIn, probeNotes, sawStatus } from '../probe.ts'
import { isSession, needsSignIn, type BreakAction } from '../types.ts'

/** The mock server accepts tokens up to 5 s past `exp` (clock tolerance); jump past that. */
const TOLERANCE_SECONDS = 6

export const expireNow: BreakAction = {
  id: 'expire-now',
  title: 'Expire the token now',
  explain:
    'Moves the server’s clock past the credential’s expiry while this page still holds it (like a laptop that slept through the refresh timer), then loads the notes. A JWT mode recovers on its own: 401, one refresh, one retry. A session has nothing to refresh: you are signed out.',
  button: 'Expire it now',
  unavailable: (_mode, signedIn) => needsSignIn(signedIn),
  async run({ connection, mode }) {
    const { expiresAt } = connection.client.getState()
    if (expiresAt === null) return { tone: 'warn', summary: 'Nothing to expire: the credential has no known expiry.', steps: [] }
    const before = (await useDemo.getState().syncBackend())?.clockOffsetSeconds ?? 0
    const jump = Math.max(0, Math.ceil((expiresAt - serverNow()) / 1000)) + TOLERANCE_SECONDS
    await mockControls.setClockOffset(before + jump)
    await useDemo.getState().syncBackend()
    const mark = logMark()
    const probe = await probeNotes()
    const steps = [`Moved the server clock ${jump} s forward: the ${isSession(mode) ? 'session' : 'access token'} is past its expiry at the server.`, ...httpLines(mark)]
    if (isSession(mode)) {
      return isSignedIn(connection)
        ? { tone: 'warn', summary: 'The session was still accepted.', steps }
        : { tone: 'bad', summary: 'Session expired: the server refused it (401) and the SDK signed you out. Sessions only slide with activity; there is nothing to refresh.', steps }
    }
    if (probe.ok && sawStatus(mark, 401)) {
      return { tone: 'ok', summary: 'Recovered without you noticing: 401 (expired), one refresh, the request retried once and succeeded.', steps }
    }
    return probe.ok
      ? { tone: 'ok', summary: 'The request succeeded (the SDK had already refreshed).', steps }
      : { tone: 'bad', summary: `The request failed: ${probe.failure ?? 'unknown'}.`, steps }
  },
}
