import { AuthError, isAuthError } from '../errors.ts'
import type { AuthEvents } from '../events.ts'
import { createScheduler } from '../refresh/scheduler.ts'
import { singleFlight } from '../refresh/single-flight.ts'
import { anonymous } from '../state.ts'
import { parseStoredTokens, readTokenSet, serializeTokens, type TokenSet } from '../token.ts'
import type { ClientContext, Strategy } from './types.ts'

/** Refresh failures that end the sign-in; any other keeps it, to retry later (S5, S28). */
const FATAL = ['refresh_failed', 'refresh_token_reused', 'session_expired', 'not_authenticated']
/** How long a tab waits for another tab's tokens over BroadcastChannel after the lock. */
const HANDOFF_MS = 1500
/** How long a new tab asks the open ones for their tokens before asking the server. */
const HELLO_MS = 250

type LogoutReason = AuthEvents['logout']['reason']

/**
 * JWT strategy: an access token sent as `Authorization: Bearer`, renewed with a refresh token
 * (held here or in an HttpOnly cookie) before it expires and after a 401, once across all tabs.
 */
export function jwtStrategy(ctx: ClientContext): Strategy {
  const { options, clock, events, storage, crossTab } = ctx
  const expect = { issuer: options.issuer, audience: options.audience }
  let tokens: TokenSet | null = null
  /** The cross-tab refresh our tokens come from: a newer one elsewhere makes ours stale. */
  let generation = 0
  /** Bumped by every login and logout: an older refresh must not bring a user back (S17). */
  let epoch = 0
  /** Set while the page-load restore runs: not being signed in then is no error. */
  let restoring = false
  const waiters = new Set<() => void>()
  /** The failure that ended the last sign-in, for requests that were in flight when it ended. */
  let ended: AuthError | undefined
  /** Set while this tab's own login or logout is being recorded for the other tabs (see `exclusive`). */
  let announcing = 0
  /** Pending refresh retry back-offs, cancelled by destroy(). */
  const backoffs = new Set<() => void>()
  let destroyed = false

  const leeway = (set: TokenSet) => {
    const iat = set.claims.iat
    const lifetime = set.expiresAt !== null && typeof iat === 'number' ? set.expiresAt - iat * 1000 : Infinity
    // A 30 s leeway on a 10 s token would refresh constantly: never more than half its life.
    return Math.min(options.leewayMs, lifetime / 2)
  }
  const needsRefresh = (set: TokenSet) => set.expiresAt !== null && set.expiresAt - clock.now() <= leeway(set)
  const scheduler = createScheduler(() => {
    if (tokens && needsRefresh(tokens)) refresh().catch(() => undefined)
  })

  const adopt = (next: TokenSet) => {
    tokens = next
    ended = undefined
    ctx.setState({ status: 'authenticated', user: next.claims, expiresAt: next.expiresAt, lastError: null })
    if (next.expiresAt !== null) scheduler.schedule(next.expiresAt - leeway(next) - clock.now())
    for (const wake of waiters) wake()
  }
  // Cookie storage expires with the token: give it local time.
  const persist = (next: TokenSet) => storage.set(serializeTokens(next), next.expiresAt === null ? null : next.expiresAt - clock.offset)
  const parse = (raw: string) => parseStoredTokens(raw, clock.now(), expect)

  const fromResponse = (response: { accessToken?: unknown; refreshToken?: unknown; expiresIn?: unknown }) => {
    // An answer without a refresh token keeps the one we have (RFC 6749 §6, S29).
    const next = readTokenSet(response.accessToken, response.refreshToken ?? tokens?.refreshToken, response.expiresIn, clock.now(), expect)
    if (typeof next.claims.iat === 'number') clock.learn(next.claims.iat)
    return next
  }

  const clearLocally = async (reason: LogoutReason) => {
    const signedIn = tokens !== null
    epoch++
    tokens = null
    scheduler.cancel()
    ctx.setState({ ...anonymous, lastError: ctx.store.getState().lastError })
    await storage.remove()
    if (signedIn || reason === 'user') events.emit('logout', { reason })
  }

  const record = (next: TokenSet | null, of = generation) =>
    // Only localStorage is shared by every tab like the record: a sessionStorage tab's tokens must
    // not outlive it there, nor a cookie's its expiry. The others take new tokens over the channel.
    next ? { generation: of, ...(storage.kind === 'localStorage' ? { tokens: serializeTokens(next) } : {}) } : { generation: of, signedOut: true }

  /** Records a login or logout for the other tabs, then tells them; the caller holds the lock. */
  const recordAndPost = async (next: TokenSet | null, login = false) => {
    if (!crossTab) return
    generation = Math.max(generation, (await crossTab.read())?.generation ?? 0) + 1
    await crossTab.write(record(next))
    crossTab.post(next ? { type: 'tokens', generation, tokens: serializeTokens(next), login } : { type: 'logout', generation })
  }

  /**
   * Runs a login or logout step holding the refresh lock. Until it is done, this tab ignores other
   * tabs' tokens and logouts: the lock ordered them before ours, so ours supersedes them. Adopting
   * one meanwhile (typically the previous user's tokens from a refresh that finished elsewhere a
   * moment earlier) would sign this tab back in after its logout, or leave it as the previous user
   * after its login while every other tab follows our announcement (both seen in Chromium with
   * five tabs: S9, S32).
   */
  const exclusive = async <T>(step: () => Promise<T>): Promise<T> => {
    if (!crossTab) return step()
    announcing++
    try {
      return await crossTab.withLock(step)
    } finally {
      announcing--
    }
  }

  /** Records a login or logout for the other tabs, inside the lock, then tells them. */
  const announce = (next: TokenSet | null, login = false) => exclusive(() => recordAndPost(next, login))

  /** Waits, bounded, until tokens of `wanted` generation arrive from another tab. */
  const handoff = (wanted: number, ms: number) =>
    new Promise<boolean>((resolve) => {
      const done = () => {
        waiters.delete(check)
        clearTimeout(timer)
        resolve(generation >= wanted && tokens !== null)
      }
      const check = () => generation >= wanted && done()
      const timer = setTimeout(done, ms)
      waiters.add(check)
      check()
    })

  const requestRefresh = async (): Promise<TokenSet> => {
    const { attempts, baseDelayMs, maxDelayMs } = options.retry
    for (let attempt = 1; ; attempt++) {
      try {
        return fromResponse(await ctx.protocol.refresh(tokens?.refreshToken))
      } catch (error) {
        const failure = isAuthError(error) ? error : new AuthError('invalid_response', 'the refresh answer could not be read')
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
    if (!crossTab) return { next: await requestRefresh(), generation }
    const held = generation
    return crossTab.withLock(async () => {
      // Signed in or out here while waiting for the lock: nothing left to refresh. Going on would
      // wait for tokens this tab now ignores (see `exclusive`), then spend the refresh token and
      // hand the ended session to the other tabs (seen in Chromium: logout at refresh time, S9).
      if (epoch !== started) throw new AuthError('not_authenticated', 'signed in or out while the refresh was waiting')
      const latest = await crossTab.read()
      // Checked after the read, not before: the previous holder's tokens may arrive over
      // BroadcastChannel while the read is pending. They move `generation` up to the record's,
      // so the test below would no longer see them as newer and we would refresh a second time
      // with the token just received (seen in Chromium with five tabs, S7).
      if (generation > held && tokens && !needsRefresh(tokens)) return { next: null, generation }
      if (latest && latest.generation > generation) {
        if (latest.signedOut) throw new AuthError('not_authenticated', 'signed out in another tab')
        // Bounded well inside the lock timeout: waiting as long as the others wait for the lock
        // would let them give up on it and refresh beside us (seen in Chromium, S8).
        const wait = Math.min(HANDOFF_MS, options.lockTimeoutMs / 2)
        const theirs = latest.tokens ? parse(latest.tokens) : (await handoff(latest.generation, wait)) ? tokens : null
        if (theirs && !needsRefresh(theirs)) return { next: theirs === tokens ? null : theirs, generation: latest.generation }
      }
      const fresh = await requestRefresh()
      const next = Math.max(generation, latest?.generation ?? 0) + 1
      await crossTab.write(record(fresh, next))
      crossTab.post({ type: 'tokens', generation: next, tokens: serializeTokens(fresh) })
      return { next: fresh, generation: next }
    })
  }

  const refresh = singleFlight(async () => {
    const started = epoch
    if (!tokens && !options.cookieTransport) throw new AuthError('not_authenticated', 'no refresh token: sign in first')
    ctx.setState({ status: tokens ? 'refreshing' : 'authenticating' })
    try {
      const result = await refreshAcrossTabs(started)
      if (epoch !== started) throw new AuthError('not_authenticated', 'signed out while the refresh was running')
      if (result.next) await persist(result.next)
      if (epoch !== started) throw new AuthError('not_authenticated', 'signed in or out elsewhere while the refresh was running')
      // `generation` moves only now, together with `tokens`: it labels them. Moved earlier, inside
      // the lock, a 'hello' answered meanwhile carried the old tokens under the new generation; the
      // new tab kept them, ignored the real ones (same generation), and later refreshed with a
      // spent refresh token: reuse, every tab signed out (seen in Chromium, tabs opened during a
      // refresh). Newer tokens that arrived from another tab meanwhile win.
      const newer = generation > result.generation
      generation = Math.max(generation, result.generation)
      if (result.next && !newer) adopt(result.next)
      else if (tokens) adopt(tokens)
      events.emit('refresh', { expiresAt: tokens?.expiresAt ?? null })
    } catch (error) {
      const failure = isAuthError(error) ? error : new AuthError('refresh_failed', 'refresh failed')
      if (epoch !== started) throw failure
      const fatal = FATAL.includes(failure.code)
      if (restoring && !tokens) {
        ctx.setState({ status: 'anonymous' })
        throw failure
      }
      ctx.report(failure)
      events.emit('refresh-failed', { error: failure })
      if (!fatal) {
        ctx.setState({ status: tokens ? 'authenticated' : 'anonymous' })
        throw failure
      }
      if (failure.code === 'session_expired' || (tokens?.expiresAt ?? Infinity) <= clock.now()) {
        events.emit('expired', { reason: failure.code === 'session_expired' ? 'session_expired' : 'token_expired' })
      }
      // Requests still in flight learn why the sign-in ended, whichever way they meet the end.
      ended = failure
      const reason = failure.code === 'refresh_token_reused' || failure.code === 'session_expired' ? failure.code : 'refresh_failed'
      await clearLocally(reason)
      // The tabs share this sign-in, so it is over for all of them; with reuse, someone else holds
      // our refresh token (S6). The record says so too, or a reload would restore the dead tokens.
      await announce(null).catch(() => undefined)
      throw failure
    }
  })

  crossTab?.listen((message) => {
    if (message.type === 'hello') {
      if (tokens) crossTab.post({ type: 'tokens', generation, tokens: serializeTokens(tokens) })
    } else if (announcing) {
      // Older than the login or logout this tab is announcing (see `exclusive`).
      return
    } else if (message.type === 'logout') {
      generation = Math.max(generation, message.generation)
      if (tokens || refresh.isRunning()) {
        void clearLocally('cross-tab')
        events.emit('cross-tab', { type: 'logout' })
      }
    } else if (message.type === 'tokens' && (message.generation > generation || (!tokens && message.generation === generation))) {
      let next: TokenSet
      try {
        next = parse(message.tokens)
      } catch {
        return
      }
      // Another user signed in elsewhere: this tab becomes that user, never a mix of two (S32).
      const switched = message.login || tokens?.claims.sub !== next.claims.sub
      if (switched) epoch++
      generation = message.generation
      void persist(next)
      adopt(next)
      events.emit('cross-tab', { type: switched ? 'login' : 'tokens' })
    }
  })

  /** The token to send now: refreshed first when close to expiry; a failed refresh that kept the
   * session falls back to the current token, which the server may still accept. */
  const currentToken = async (): Promise<string | undefined> => {
    if (tokens && needsRefresh(tokens)) {
      await refresh().catch((error) => {
        // A kept token is still worth sending while unexpired; one already past `exp` would only
        // earn a 401 and start a second refresh round for the same requests (S27, S28).
        if (!tokens || (tokens.expiresAt !== null && tokens.expiresAt <= clock.now())) throw error
      })
    }
    return tokens?.accessToken
  }

  return {
    async init() {
      restoring = true
      try {
        const latest = await crossTab?.read()
        // In persistent modes the record, not localStorage, is the consistent copy across tabs.
        // After a sign-out anywhere, tokens left in this tab's storage are dead: drop, don't restore.
        if (latest?.signedOut) await storage.remove()
        const raw = latest?.tokens ?? (await storage.get())
        // Another tab's tokens arrived while we read (its answer to a new tab's 'hello'), with
        // their generation. In memory mode `raw` is then just our copy of them, and restoring it
        // as generation 0 made this tab, at the next expiry, wait out the handoff while holding
        // the lock and refresh on its own (seen in Chromium, tabs opened together: S8, S9).
        if (tokens) return
        if (raw) {
          try {
            const stored = parse(raw)
            generation = latest?.tokens ? latest.generation : 0
            adopt(stored)
            if (needsRefresh(stored)) await refresh().catch(() => undefined)
            return
          } catch {
            // Malformed, tampered or foreign tokens are dropped, never sent (S13, S24).
            await storage.remove()
            events.emit('warning', { code: 'token_discarded', message: 'stored tokens were unreadable or for another issuer: discarded' })
          }
        }
        if (crossTab && latest && !latest.signedOut) {
          crossTab.post({ type: 'hello' })
          if (await handoff(latest.generation, HELLO_MS)) return
        }
        // The HttpOnly refresh cookie may still hold a sign-in from an earlier visit.
        if (options.cookieTransport && !tokens && ctx.cookieHint()) await refresh().catch(() => undefined)
      } finally {
        restoring = false
        // Nothing to restore (no stored tokens, no other tab, no refresh cookie): the client
        // set `authenticating` on creation, so say "signed out" rather than "still finding out"
        // for ever (RequireAuth would show its fallback indefinitely).
        if (!tokens && ctx.store.getState().status === 'authenticating') ctx.setState({ status: 'anonymous' })
      }
    },

    async login(credentials) {
      const started = ++epoch
      ctx.setState({ status: 'authenticating', lastError: null })
      // The sign-in request itself runs under the refresh lock, so no tab refreshes meanwhile: with
      // the refresh token in an HttpOnly cookie, a refresh answered after the login would put the
      // previous user's cookie back in the jar, and the next refresh would bring that user back
      // in every tab (seen in Chromium, S32).
      await exclusive(async () => {
        let next: TokenSet
        try {
          next = fromResponse(await ctx.protocol.login(credentials))
        } catch (error) {
          const failure = isAuthError(error) ? error : new AuthError('invalid_response', 'the login answer could not be read')
          if (epoch === started) {
            tokens = null
            ctx.setState({ ...anonymous })
          }
          ctx.report(failure)
          throw failure
        }
        if (epoch !== started) throw new AuthError('not_authenticated', 'a later sign-in or sign-out replaced this one')
        await persist(next)
        adopt(next)
        events.emit('login', { user: next.claims })
        await recordAndPost(next, true).catch((error: AuthError) => ctx.report(error))
      })
    },

    async logout() {
      const previous = tokens
      // Forgotten here first: a failed revocation must not leave anyone signed in (S31).
      await clearLocally('user')
      await announce(null).catch(() => undefined)
      if (!ctx.protocol.logout || (!previous && !options.cookieTransport)) return
      try {
        await ctx.protocol.logout({ accessToken: previous?.accessToken, refreshToken: previous?.refreshToken })
      } catch (error) {
        const failure = new AuthError('revocation_failed', `signed out here, but the server was not told: ${(error as Error).message}`)
        ctx.report(failure)
        throw failure
      }
    },

    refresh: () => refresh(),

    async getAccessToken() {
      const token = await currentToken()
      if (!token) throw new AuthError('not_authenticated', 'not signed in')
      return token
    },

    async prepare(url, _method, headers) {
      if (!ctx.scope.contains(url)) return { inScope: false }
      const token = await currentToken()
      if (!token) return { inScope: true }
      headers.set('Authorization', `Bearer ${token}`)
      return { inScope: true, token }
    },

    async recover(response, prepared) {
      if (response.status !== 401 || !prepared.token) return false
      const challenge = response.headers.get('www-authenticate') ?? ''
      if (options.refreshOn401 === 'invalid_token' && !/error="?invalid_token/i.test(challenge)) return false
      // Signed out (logout, failed refresh) while this request was in flight: a refresh now would
      // repeat a failure already reported, or bring back a session the user ended (S4, S17).
      if (!tokens) throw ended ?? new AuthError('not_authenticated', 'signed out while the request was in flight')
      // Refreshed while this request was in flight: retry with the new token, no refresh (S25).
      if (tokens && tokens.accessToken !== prepared.token) return true
      await refresh()
      return true
    },

    accessToken: () => tokens?.accessToken ?? null,
    hasRefreshToken: () => Boolean(tokens?.refreshToken) || (options.cookieTransport && tokens !== null),
    destroy() {
      destroyed = true
      scheduler.destroy()
      for (const wake of waiters) wake()
      for (const stop of backoffs) stop()
      backoffs.clear()
    },
  }
}
