import type { AuthClient } from '@authlens/sdk'
import { formatEstimate, timing } from '../format.ts'
import { accessToken, control, failure, jwtClaims, labClient, me, stats, withClient } from '../kit.ts'
import { medianWithInterval } from '../statistics/bootstrap.ts'
import { bound, lessThan } from '../statistics/verdict.ts'
import type { Experiment } from '../types.ts'

/** The server accepts tokens 5 s past `exp` (clock tolerance): jump beyond that. */
const PAST_TOLERANCE_SECONDS = 6
/** The demo backend's session idle timeout is 15 min. */
const SESSION_IDLE_SECONDS = 15 * 60
/** Expiries the silent refresh meets, each timed, with a request on a valid token beside each. */
const EXPIRIES = 30
/** Up to a tenth of a second feels instantaneous (Card, Moran and Newell; Nielsen's response-time limits). */
const INSTANT_MS = 100

/** Moves the server's clock so `exp` (server seconds) lies just behind it; answers the new offset. */
async function jumpPast(exp: number, offset: number): Promise<number> {
  const next = offset + Math.max(0, Math.ceil(exp - (Date.now() / 1000 + offset))) + PAST_TOLERANCE_SECONDS
  await control('clock', { offsetSeconds: next })
  return next
}

/** `client.fetch('/me')`, timed from the page; it must answer 200. */
async function timedMe(client: AuthClient): Promise<number> {
  const started = performance.now()
  const response = await client.fetch('/me')
  await response.arrayBuffer()
  const ms = performance.now() - started
  if (response.status !== 200) throw new Error(`GET /api/me answered ${response.status} after the silent refresh`)
  return ms
}

/**
 * With silent refresh: the server's clock jumps past the token's expiry `EXPIRIES` times; each
 * time the SDK's fetch meets a 401, refreshes once and retries. Beside each, a request while the
 * token is valid, so the refresh's cost reads against a plain request's.
 */
async function silentRefreshes(original: number) {
  return withClient(labClient('memory'), async (client) => {
    let offset = original
    const plain: number[] = []
    const afterExpiry: number[] = []
    const before = await stats()
    for (let round = 0; round < EXPIRIES; round++) {
      plain.push(await timedMe(client))
      offset = await jumpPast(Number(jwtClaims(await accessToken(client)).exp), offset)
      afterExpiry.push(await timedMe(client))
    }
    const after = await stats()
    await control('clock', { offsetSeconds: original })
    return {
      plain: medianWithInterval(plain),
      afterExpiry: medianWithInterval(afterExpiry),
      refreshes: after.refreshes - before.refreshes,
      jumped: offset - original,
      state: client.getState().status,
    }
  })
}

export const expiry: Experiment = {
  id: 'expiry',
  title: 'Expiry',
  claim: 'Short-lived access tokens log users out often unless the client refreshes them silently.',
  async run() {
    const original = (await stats()).clockOffsetSeconds
    try {
      const silent = await silentRefreshes(original)
      // Without: the same kind of expired token, presented by a client that cannot refresh.
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
      const kept = bare.status === 401 && silent.state === 'authenticated'
      // "Silently": the wait an expiry adds stays under what a person perceives as instant.
      const unnoticed = lessThan(silent.afterExpiry, bound(INSTANT_MS))
      return {
        id: 'expiry',
        claim: expiry.claim,
        modes: ['JWT + silent refresh', 'JWT without refresh', 'session (idle timeout)'],
        measured: [
          timing('Silent refresh: time to the answer after expiry', silent.afterExpiry, 'ms', true),
          timing('The same request with a valid token', silent.plain, 'ms', true),
          { label: `Silent refresh: refreshes for ${EXPIRIES} expiries`, value: silent.refreshes, unit: 'refreshes' },
          { label: 'Without refresh: status', value: bare.status, unit: 'HTTP' },
          { label: 'Session after idle timeout: status', value: session.status, unit: 'HTTP' },
        ],
        verdict: !kept ? 'disagrees' : unnoticed === 'agrees' ? 'agrees' : 'depends',
        why: `The server clock jumped past exp ${EXPIRIES} times (${silent.jumped} s in all). Each time the SDK answered 200 after ${silent.refreshes / EXPIRIES === 1 ? 'one refresh' : `${silent.refreshes} refreshes in all`}, in ${formatEstimate(silent.afterExpiry, 'ms')}, against ${formatEstimate(silent.plain, 'ms')} for the same request with a valid token: ${
          { agrees: `well under the ${INSTANT_MS} ms that still feels instant`, depends: `close to the ${INSTANT_MS} ms that still feels instant`, disagrees: `more than the ${INSTANT_MS} ms that still feels instant` }[unnoticed]
        }, on this loopback server (over a network it is three round trips instead of one). The user stayed ${silent.state}. The same expired token without a refresh got ${bare.text}: that user is sent back to the sign-in form every 30 s. A session past its ${SESSION_IDLE_SECONDS / 60}-minute idle timeout got ${session.text} and the client is ${session.state}: nothing to refresh.`,
      }
    } finally {
      await control('clock', { offsetSeconds: original })
    }
  },
}
