import type { ServerClock } from '../../clock.ts'
import { asAuthError, AuthError } from '../../errors.ts'
import type { LoginProtocol } from '../../login/types.ts'
import { singleFlight } from '../../refresh/single-flight.ts'
import type { TokenSet } from '../../token.ts'
import type { ClientContext } from '../types.ts'
import type { Handoff } from './handoff.ts'
import type { ResolvedJwtOptions } from './options.ts'
import { superseded, type TokenLifecycle } from './tokens.ts'

/** Refresh failures that end the sign-in; any other keeps it, to retry later (S5, S28). */
const FATAL = ['refresh_failed', 'refresh_token_reused', 'session_expired', 'not_authenticated']

/**
 * The refresh: single-flight in this tab, one for all tabs, retried with back-off when the server
 * or the network failed, and a clean sign-out everywhere when the sign-in is over.
 */
export function createRefresh(ctx: ClientContext, options: ResolvedJwtOptions, clock: ServerClock, protocol: LoginProtocol, life: TokenLifecycle, sync: Handoff) {
  /** The retry back-offs waiting, stopped by destroy(). */
  const backoffs = new Set<(go: boolean) => void>()
  let destroyed = false

  /** One answer from the server, retried with back-off while the server or the network failed. */
  const requestRefresh = async (): Promise<TokenSet> => {
    const { attempts, baseDelayMs, maxDelayMs } = options.retry
    for (let attempt = 1; ; attempt++) {
      try {
        return life.fromResponse(await protocol.refresh(life.tokens?.refreshToken))
      } catch (error) {
        const failure = asAuthError(error, 'invalid_response')
        const delay = failure.retryAfter !== undefined ? failure.retryAfter * 1000 : baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2)
        const retry =
          (failure.retryable || ['too_many_attempts', 'invalid_response'].includes(failure.code)) &&
          attempt < attempts &&
          delay <= maxDelayMs &&
          !destroyed &&
          // The back-off is cancelled by destroy(): no timer left behind, no request after it (S18).
          (await new Promise<boolean>((resolve) => {
            const stop = (go: boolean) => {
              clearTimeout(timer)
              backoffs.delete(stop)
              resolve(go)
            }
            const timer = setTimeout(stop, delay, true)
            backoffs.add(stop)
          }))
        if (!retry) throw failure
      }
    }
  }

  /**
   * One refresh for all tabs: the tokens and the generation that labels them, or no tokens when
   * ours are current. Inside the lock: tokens another tab already got win (from the record in
   * persistent modes, over BroadcastChannel in memory mode); only otherwise do we ask the server,
   * then record and announce the result before releasing the lock.
   */
  const refreshAcrossTabs = async (started: number): Promise<[TokenSet | null, number]> => {
    const { crossTab } = sync
    if (!crossTab) return [await requestRefresh(), sync.generation]
    const held = sync.generation
    return crossTab.withLock(async () => {
      // Signed in or out here while waiting for the lock: nothing left to refresh. Going on would
      // wait for tokens this tab now ignores (see `exclusive`), then spend the refresh token and
      // hand the ended session to the other tabs (seen in Chromium: logout at refresh time, S9).
      if (life.epoch !== started) throw superseded()
      const latest = await crossTab.read()
      // Checked after the read, not before: the previous holder's tokens may arrive over
      // BroadcastChannel while the read is pending. They move `generation` up to the record's,
      // so the test below would no longer see them as newer and we would refresh a second time
      // with the token just received (seen in Chromium with five tabs, S7).
      if (sync.generation > held && life.tokens && !life.needsRefresh(life.tokens)) return [null, sync.generation]
      if (latest && latest.generation > sync.generation) {
        if (latest.signedOut) throw superseded()
        // Waiting for another tab's tokens over BroadcastChannel is bounded (1.5 s), well inside the
        // lock timeout: waiting as long as the others wait for the lock would let them give up on
        // it and refresh beside us (seen in Chromium, S8).
        const theirs = latest.tokens ? life.parse(latest.tokens) : (await sync.wait(latest.generation, Math.min(1500, options.lockTimeoutMs / 2))) ? life.tokens : null
        if (theirs && !life.needsRefresh(theirs)) return [theirs === life.tokens ? null : theirs, latest.generation]
      }
      const fresh = await requestRefresh()
      const generation = Math.max(sync.generation, latest?.generation ?? 0) + 1
      await sync.publish(fresh, generation)
      return [fresh, generation]
    })
  }

  const refresh = singleFlight(async () => {
    const started = life.epoch
    if (!life.tokens && !options.cookieTransport) throw new AuthError('not_authenticated')
    ctx.setState({ status: life.tokens ? 'refreshing' : 'authenticating' })
    try {
      const [next, generation] = await refreshAcrossTabs(started)
      if (life.epoch !== started) throw superseded()
      if (next) await life.persist(next)
      if (life.epoch !== started) throw superseded()
      // `generation` moves only now, together with `tokens`: it labels them. Moved earlier, inside
      // the lock, a 'hello' answered meanwhile carried the old tokens under the new generation; the
      // new tab kept them, ignored the real ones (same generation), and later refreshed with a
      // spent refresh token: reuse, every tab signed out (seen in Chromium, tabs opened during a
      // refresh). Newer tokens that arrived from another tab meanwhile win.
      const newer = sync.generation > generation
      sync.generation = Math.max(sync.generation, generation)
      if (next && !newer) life.adopt(next)
      else if (life.tokens) life.adopt(life.tokens)
      ctx.events.emit('refresh', { expiresAt: life.tokens?.expiresAt ?? null })
    } catch (error) {
      const failure = asAuthError(error, 'refresh_failed')
      if (life.epoch !== started) throw failure
      if (life.restoring && !life.tokens) {
        ctx.setState({ status: 'anonymous' })
        throw failure
      }
      ctx.report(failure)
      ctx.events.emit('refresh-failed', { error: failure })
      if (!FATAL.includes(failure.code)) {
        ctx.setState({ status: life.tokens ? 'authenticated' : 'anonymous' })
        throw failure
      }
      const { code } = failure
      if (code === 'session_expired' || (life.tokens?.expiresAt ?? Infinity) <= clock.now()) {
        ctx.events.emit('expired', { reason: code === 'session_expired' ? code : 'token_expired' })
      }
      // Requests still in flight learn why the sign-in ended, whichever way they meet the end.
      life.ended = failure
      // The tabs share this sign-in, so it is over for all of them; with reuse, someone else holds
      // our refresh token (S6). The record says so too, or a reload would restore the dead tokens.
      await sync.signOut(code === 'refresh_token_reused' || code === 'session_expired' ? code : 'refresh_failed')
      throw failure
    }
  })

  return Object.assign(refresh, {
    destroy() {
      destroyed = true
      for (const stop of backoffs) stop(false)
    },
  })
}

export type Refresh = ReturnType<typeof createRefresh>
