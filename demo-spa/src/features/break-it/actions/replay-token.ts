import { logMark } from '../../../app/log-store.ts'
import { backendInWorker } from '../../../app/runtime.ts'
import { abbreviate } from '../../../lib/jwt.ts'
import { replayElsewhere, type ReplayAttempt } from '../../../replay-elsewhere.ts'
import { httpLines, probeNotes, secondsLeft } from '../probe.ts'
import { isBff, isSession, needsSignIn, type BreakAction } from '../types.ts'

const PATH = '/api/notes'

const answered = ({ status, error, reason }: ReplayAttempt): string => `${status}${error ? ` ${error}` : ''}${reason ? ` (${reason})` : ''}`

export const replayToken: BreakAction = {
  id: 'replay-token',
  title: 'Replay the token without its key',
  explain:
    'Plays a thief on another machine: takes the current access token, and has the dev server (Node, outside this page, without its key) send it to GET /api/notes, once as Bearer and once as DPoP with a proof from a key the thief made. A bearer token works for whoever holds it until it expires; a DPoP-bound token is refused without the private key that stayed in this browser.',
  button: 'Replay from elsewhere',
  unavailable(mode, signedIn) {
    if (isBff(mode)) return 'No token in this page: the BFF holds it on the server, and the session id is an HttpOnly cookie, which no script can copy.'
    if (isSession(mode)) return 'No token here: the session id is an HttpOnly cookie, which no script can copy.'
    if (backendInWorker) return 'Needs npm start: the replay is sent by the dev server, from outside the page; the worker build has no server.'
    return needsSignIn(signedIn)
  },
  async run({ connection, mode }) {
    const token = await connection.client.getAccessToken()
    if (!token) return { tone: 'warn', summary: 'No access token to take.', steps: [] }
    let mark = logMark()
    const answer = await replayElsewhere(token, PATH, connection.fetch)
    const presented = (attempt: ReplayAttempt) => (attempt.scheme === 'Bearer' ? 'as Bearer' : `as DPoP with a proof from the thief’s own key (${abbreviate(answer.thiefJkt, 6)})`)
    const steps = [
      `Took the access token (${abbreviate(token, 6)}) and handed it to the dev server:`,
      ...httpLines(mark),
      ...answer.attempts.map((attempt) => `From Node, ${presented(attempt)}: ${answered(attempt)}.`),
    ]
    mark = logMark()
    const probe = await probeNotes()
    steps.push(`This page, with its key: ${probe.ok ? 'the notes still load' : `refused: ${probe.failure ?? '?'}`}.`, ...httpLines(mark))

    const accepted = answer.attempts.filter((attempt) => attempt.status < 300)
    if (accepted.length > 0) {
      return {
        tone: 'bad',
        summary: `Accepted from elsewhere as ${accepted.map((attempt) => attempt.scheme).join(' and ')}: the copied token reads your notes from any machine for about ${secondsLeft(connection)} s more, until it expires.${mode.dpop ? '' : ' Nothing ties it to this browser.'}`,
        steps,
      }
    }
    return {
      tone: 'ok',
      summary: `Refused from elsewhere (${answer.attempts.map((attempt) => `${attempt.scheme}: ${answered(attempt)}`).join('; ')}). The token is bound to this browser’s key (cnf.jkt), and the private key never left it.`,
      steps,
    }
  },
}
