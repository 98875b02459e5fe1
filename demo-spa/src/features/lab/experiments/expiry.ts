import { accessToken, control, failure, jwtClaims, labClient, me, round, stats, withClient } from '../kit.ts'
import type { Experiment } from '../types.ts'

/** The server accepts tokens 5 s past `exp` (clock tolerance): jump beyond that. */
const PAST_TOLERANCE_SECONDS = 6
/** The demo backend's session idle timeout is 15 min. */
const SESSION_IDLE_SECONDS = 15 * 60

/** Moves the server's clock so `exp` (server seconds) lies just behind it. */
async function jumpPast(exp: number, offset: number): Promise<number> {
  const jump = Math.max(0, Math.ceil(exp - (Date.now() / 1000 + offset))) + PAST_TOLERANCE_SECONDS
  await control('clock', { offsetSeconds: offset + jump })
  return jump
}

export const expiry: Experiment = {
  id: 'expiry',
  title: 'Expiry',
  claim: 'Short-lived access tokens log users out often unless the client refreshes them silently.',
  async run() {
    const original = (await stats()).clockOffsetSeconds
    try {
      // With silent refresh: the SDK's fetch sees the 401, refreshes once and retries.
      const silent = await withClient(labClient('memory'), async (client) => {
        const jump = await jumpPast(Number(jwtClaims(await accessToken(client)).exp), original)
        const before = await stats()
        const started = performance.now()
        const response = await client.fetch('/me')
        const ms = round(performance.now() - started, 1)
        const after = await stats()
        await control('clock', { offsetSeconds: original })
        return { jump, status: response.status, ms, refreshes: after.refreshes - before.refreshes, unauthorized: after.unauthorized - before.unauthorized, state: client.getState().status }
      })
      // Without: the same expired token, presented by a client that cannot refresh.
      const bare = await withClient(labClient('memory'), async (client) => {
        const token = await accessToken(client)
        await jumpPast(Number(jwtClaims(token).exp), original)
        const response = await me({ bearer: token })
        await control('clock', { offsetSeconds: original })
        return { status: response.status, text: await failure(response) }
      })
      // A session expires only after idling; past the idle timeout nothing can bring it back.
      const session = await withClient(labClient('session'), async (client) => {
        await control('clock', { offsetSeconds: original + SESSION_IDLE_SECONDS + PAST_TOLERANCE_SECONDS })
        const response = await client.fetch('/me')
        await control('clock', { offsetSeconds: original })
        return { status: response.status, text: await failure(response), state: client.getState().status }
      })
      const smooth = silent.status === 200 && bare.status === 401
      return {
        id: 'expiry',
        claim: expiry.claim,
        modes: ['JWT + silent refresh', 'JWT without refresh', 'session (idle timeout)'],
        measured: [
          { label: 'Silent refresh: time to the answer after expiry', value: silent.ms, unit: 'ms', chart: true },
          { label: 'Silent refresh: final status', value: silent.status, unit: 'HTTP' },
          { label: 'Silent refresh: refreshes', value: silent.refreshes, unit: 'refreshes' },
          { label: 'Without refresh: status', value: bare.status, unit: 'HTTP' },
          { label: 'Session after idle timeout: status', value: session.status, unit: 'HTTP' },
        ],
        verdict: smooth ? 'agrees' : 'disagrees',
        why: `After the server clock jumped ${silent.jump} s past exp, the SDK saw ${silent.unauthorized} 401, made ${silent.refreshes} refresh and answered ${silent.status} in ${silent.ms} ms; the user stayed ${silent.state}. The same expired token without a refresh got ${bare.text}: that user is sent back to the sign-in form every 30 s. A session past its ${SESSION_IDLE_SECONDS / 60}-minute idle timeout got ${session.text} and the client is ${session.state}: nothing to refresh.`,
      }
    } finally {
      await control('clock', { offsetSeconds: original })
    }
  },
}
