import type { ServerClock } from '../../clock.ts'
import { asAuthError, AuthError } from '../../errors.ts'
import type { LoginProtocol } from '../../login/types.ts'
import { singleFlight } from '../../refresh/single-flight.ts'
import { serializeTokens, type TokenSet } from '../../token.ts'
import type { ClientContext } from '../types.ts'
import type { Handoff } from './handoff.ts'
import type { ResolvedJwtOptions } from './options.ts'
import { superseded, type TokenLifecycle } from './tokens.ts'

/** Refresh failures that end the sign-in; any other keeps it, to retry later (S5, S28). */
const FATAL = ['refresh_failed', 'refresh_token_reused', 'session_expired', 'not_authenticated']
/** How long a tab waits for another tab's tokens over BroadcastChannel after the lock. */
const HANDOFF_MS = 1500

/**
 * The refresh: single-flight in this tab, one for all tabs, retried with back-off when the server
 * or the network failed, and a clean sign-out everywhere when the sign-in is over.
 */
export function createRefresh(ctx: ClientContext, options: ResolvedJwtOptions, clock: ServerClock, protocol: LoginProtocol, life: TokenLifecycle, sync: Handoff) {
  /** Set while the page-load restore runs: not being signed in then is no error. */
  let restoring = false
  /** Pending retry back-offs, cancelled by destroy(). */
  const backoffs = new Set<() => void>()
  let destroyed = false

  const requestRefresh = async (): Promise<TokenSet> => {
    const { attempts, baseDelayMs, maxDelayMs } = options.retry
    for (let attempt = 1; ; attempt++) {
      try {
        return life.fromResponse(await protocol.refresh(life.tokens?.refreshToken))
      } catch (error) {
        const failure = asAuthError(error, 'invalid_response', 'refresh answer unreadable')
        const retryable = failure.retryable || failure.code === 'too_many_attempts' || failure.code === 'invalid_response'
        const delay = failure.retryAfter !== undefined ? failure.retryAfter * 1000 : baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2)
        if (!retryable || attempt >= attempts || delay > maxDelayMs || destroyed) throw failure
        // The back-off is cancelled by destroy(): no timer left behind, no request after it (S18).
        const woke = await new Promise<boolean>((resolve) => {
          const stop = () => {
            clearTimeout(timer)
            resolve(false)
          }
          const timer = setTimeout(() => {
            backoffs.delete(stop)
            resolve(true)
          }, delay)
          backoffs.add(stop)
        })
        if (!woke) throw failure
      }
    }
  }

  /**
   * One refresh for all tabs. Inside the lock: tokens another tab already got win (from the
   * record in persistent modes, over BroadcastChannel in memory mode); only otherwise do we ask
   * the server, then record and announce the result before releasing the lock.
   */
  const refreshAcrossTabs = async (started: number): Promise<{ next: TokenSet | null; generation: number }> => {
    const { crossTab } = sync
    if (!crossTab) return { next: await requestRefresh(), generation: sync.generation }
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
      if (sync.generation > held && life.tokens && !life.needsRefresh(life.tokens)) return { next: null, generation: sync.generation }
      if (latest && latest.generation > sync.generation) {
        if (latest.signedOut) throw new AuthError('not_authenticated', 'signed out in another tab')
        // Bounded well inside the lock timeout: waiting as long as the others wait for the lock
        // would let them give up on it and refresh beside us (seen in Chromium, S8).
        const wait = Math.min(HANDOFF_MS, options.lockTimeoutMs / 2)
        const theirs = latest.tokens ? life.parse(latest.tokens) : (await sync.wait(latest.generation, wait)) ? life.tokens : null
        if (theirs && !life.needsRefresh(theirs)) return { next: theirs === life.tokens ? null : theirs, generation: latest.generation }
      }
      const fresh = await requestRefresh()
      const next = Math.max(sync.generation, latest?.generation ?? 0) + 1
      await crossTab.write(sync.record(fresh, next))
      crossTab.post({ type: 'tokens', generation: next, tokens: serializeTokens(fresh) })
      return { next: fresh, generation: next }
    })
  }

  const refresh = singleFlight(async () => {
    const started = life.epoch
    if (!life.tokens && !options.cookieTransport) throw new AuthError('not_authenticated', 'not signed in')
    ctx.setState({ status: life.tokens ? 'refreshing' : 'authenticating' })
    try {
      const result = await refreshAcrossTabs(started)
      if (life.epoch !== started) throw superseded()
      if (result.next) await life.persist(result.next)
      if (life.epoch !== started) throw superseded()
      // `generation` moves only now, together with `tokens`: it labels them. Moved earlier, inside
      // the lock, a 'hello' answered meanwhile carried the old tokens under the new generation; the
      // new tab kept them, ignored the real ones (same generation), and later refreshed with a
      // spent refresh token: reuse, every tab signed out (seen in Chromium, tabs opened during a
      // refresh). Newer tokens that arrived from another tab meanwhile win.
      const newer = sync.generation > result.generation
      sync.generation = Math.max(sync.generation, result.generation)
      if (result.next && !newer) life.adopt(result.next)
      else if (life.tokens) life.adopt(life.tokens)
      ctx.events.emit('refresh', { expiresAt: life.tokens?.expiresAt ?? null })
    } catch (error) {
      const failure = asAuthError(error, 'refresh_failed', 'refresh failed')
      if (life.epoch !== started) throw failure
      if (restoring && !life.tokens) {
        ctx.setState({ status: 'anonymous' })
        throw failure
      }
      ctx.report(failure)
      ctx.events.emit('refresh-failed', { error: failure })
      if (!FATAL.includes(failure.code)) {
        ctx.setState({ status: life.tokens ? 'authenticated' : 'anonymous' })
        throw failure
      }
      if (failure.code === 'session_expired' || (life.tokens?.expiresAt ?? Infinity) <= clock.now()) {
        ctx.events.emit('expired', { reason: failure.code === 'session_expired' ? 'session_expired' : 'token_expired' })
      }
      // Requests still in flight learn why the sign-in ended, whichever way they meet the end.
      life.ended = failure
      const reason = failure.code === 'refresh_token_reused' || failure.code === 'session_expired' ? failure.code : 'refresh_failed'
      await life.clear(reason)
      // The tabs share this sign-in, so it is over for all of them; with reuse, someone else holds
      // our refresh token (S6). The record says so too, or a reload would restore the dead tokens.
      await sync.announce(null).catch(() => undefined)
      throw failure
    }
  })

  return Object.assign(refresh, {
    /** Marks the page-load restore, during which a failed refresh just means "signed out". */
    restoring(value: boolean) {
      restoring = value
    },
    destroy() {
      destroyed = true
      for (const stop of backoffs) stop()
      backoffs.clear()
    },
  })
}

export type Refresh = ReturnType<typeof createRefresh>
