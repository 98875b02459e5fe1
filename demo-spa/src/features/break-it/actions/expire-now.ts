import { serverNow, useDemo } from '../../../app/demo-store.ts'
import { logMark } from '../../../app/log-store.ts'
import { mockControls } from '../../../app/mock-controls.ts'
import type { ActionResult } from '../../../app/demo-store.ts'
import { readBffSession } from '../../bff/bff-routes.ts'
import { httpLines, isSignedIn, probeNotes, sawStatus } from '../probe.ts'
import { isBff, isSession, needsSignIn, type ActionContext, type BreakAction } from '../types.ts'

/** The mock server accepts tokens up to 5 s past `exp` (clock tolerance); jump past that. */
const TOLERANCE_SECONDS = 6

/**
 * Behind a BFF the page holds no token: the clock moves past the expiry of the access token the BFF
 * holds (its session, with a longer idle expiry, lives on), and the BFF refreshes server-side (B4).
 */
async function expireBehindBff({ connection }: ActionContext): Promise<ActionResult> {
  const held = await readBffSession(connection.fetch)
  if (!held) return { tone: 'warn', summary: 'The BFF describes no session: sign in first.', steps: [] }
  const before = await useDemo.getState().syncBackend()
  const jump = Math.max(0, Math.ceil((held.accessTokenExpiresAt - serverNow()) / 1000)) + TOLERANCE_SECONDS
  await mockControls.setClockOffset((before?.clockOffsetSeconds ?? 0) + jump)
  const mark = logMark()
  const probe = await probeNotes()
  const after = await useDemo.getState().syncBackend()
  const refreshes = (after?.bffRefreshes ?? 0) - (before?.bffRefreshes ?? 0)
  const steps = [
    `Moved the server clock ${jump} s forward: the access token in the BFF’s session record is past its expiry (the BFF session itself is not).`,
    ...httpLines(mark),
    `The BFF refreshed ${refreshes} time${refreshes === 1 ? '' : 's'} at the provider, server to server (GET /__mock/stats: bff.refreshes).`,
  ]
  if (probe.ok && !sawStatus(mark, 401) && refreshes > 0) {
    return { tone: 'ok', summary: 'Nothing for this page to notice: the BFF refreshed the token on the server and the notes came back 200. No 401 here, no refresh request from here.', steps }
  }
  return probe.ok ? { tone: 'warn', summary: 'The notes loaded, but the BFF made no refresh.', steps } : { tone: 'bad', summary: `The request failed: ${probe.failure ?? 'unknown'}.`, steps }
}

export const expireNow: BreakAction = {
  id: 'expire-now',
  title: 'Expire the token now',
  explain:
    'Moves the server’s clock past the credential’s expiry while this page still holds it (like a laptop that slept through the refresh timer), then loads the notes. A JWT mode recovers on its own: 401, one refresh, one retry. A session has nothing to refresh: you are signed out. Behind a BFF, the access token on the server expires, and the BFF refreshes it there.',
  button: 'Expire it now',
  unavailable: (_mode, signedIn) => needsSignIn(signedIn),
  async run(context) {
    if (isBff(context.mode)) return expireBehindBff(context)
    const { connection, mode } = context
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
