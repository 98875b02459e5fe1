import { useDemo } from '../../../app/demo-store.ts'
import { logMark } from '../../../app/log-store.ts'
import { mockControls } from '../../../app/mock-controls.ts'
import { httpLines, isSignedIn, probeNotes, secondsLeft } from '../probe.ts'
import { isSession, needsSignIn, type BreakAction } from '../types.ts'

/** Who is signed in, by username, as the API says (`GET /api/me`). */
async function whoAmI(fetchApi: (path: string) => Promise<Response>): Promise<string | null> {
  const response = await fetchApi('/me')
  if (!response.ok) return null
  const body = (await response.json()) as { user?: { username?: unknown } }
  return typeof body.user?.username === 'string' ? body.user.username : null
}

export const revoke: BreakAction = {
  id: 'revoke',
  title: 'Revoke on the server',
  explain:
    'The server deletes your sessions and revokes every refresh family (an admin reacting to a stolen laptop), then the page loads the notes. A session ends at once. A JWT cannot be recalled: it works until it expires; only the next refresh is refused.',
  button: 'Revoke my sign-in',
  unavailable: (_mode, signedIn) => needsSignIn(signedIn),
  async run({ connection, mode }) {
    const username = await whoAmI((path) => connection.client.fetch(path))
    if (!username) return { tone: 'warn', summary: 'Could not tell who is signed in (GET /api/me failed).', steps: [] }
    await mockControls.revoke(username)
    await useDemo.getState().syncBackend()
    const mark = logMark()
    const probe = await probeNotes()
    const steps = [`The server revoked every session and refresh family of ${username}.`, ...httpLines(mark)]
    if (isSession(mode)) {
      return isSignedIn(connection)
        ? { tone: 'warn', summary: 'Still signed in: the session survived.', steps }
        : { tone: 'bad', summary: 'Signed out at once: the session no longer exists on the server, so the very next request was refused.', steps }
    }
    const left = secondsLeft(connection)
    return probe.ok
      ? {
          tone: 'warn',
          summary: `The access token still works after revocation (about ${left} s left): the server checks its signature and expiry, not a list. The next refresh will be refused and sign you out: press Refresh now, or wait for it.`,
          steps,
        }
      : { tone: 'bad', summary: `The request was refused: ${probe.failure ?? 'unknown'}.`, steps }
  },
}
