import { useDemo } from '../../../app/demo-store.ts'
import { logMark } from '../../../app/log-store.ts'
import { mockControls } from '../../../app/mock-controls.ts'
import { httpLines, isSignedIn } from '../probe.ts'
import { isBff, isSession, needsSignIn, type BreakAction } from '../types.ts'

export const failRefresh: BreakAction = {
  id: 'fail-refresh',
  title: 'Make the next refresh fail',
  explain:
    'The server fails the next refresh, then the page refreshes. Refused (401) means the sign-in is over: the SDK signs out cleanly. A server error (500) is temporary: the SDK retries after a short back-off and you stay signed in.',
  button: 'Fail the next refresh',
  choices: {
    label: 'How it fails',
    options: [
      { value: '401', label: '401 refused (invalid_grant)' },
      { value: '500', label: '500 server error' },
    ],
  },
  unavailable: (mode, signedIn) =>
    isBff(mode)
      ? 'This page sends no refresh request: the BFF refreshes at the provider, server to server.'
      : isSession(mode)
        ? 'Sessions have no refresh request to fail: the server slides the session on each request.'
        : needsSignIn(signedIn),
  async run({ connection, choice }) {
    const failure = choice === '500' ? '500' : '401'
    await mockControls.failRefresh(1, failure)
    const mark = logMark()
    const error = await connection.client.refresh().then(
      () => null,
      (reason: unknown) => reason,
    )
    await useDemo.getState().syncBackend()
    const steps = [`The server will fail 1 refresh with ${failure}.`, 'auth.refresh():', ...httpLines(mark)]
    if (isSignedIn(connection)) {
      return {
        tone: 'ok',
        summary: error ? 'The refresh failed but you are still signed in.' : 'Still signed in: the SDK retried after the server error and the retry succeeded.',
        steps,
      }
    }
    return { tone: 'bad', summary: 'Signed out: the server refused the refresh, so the SDK ended the sign-in (refresh-failed, then logout).', steps }
  },
}
