import type { ServerClock } from '../../clock.ts'
import { AuthError } from '../../errors.ts'
import type { AuthEvents } from '../../events.ts'
import { createScheduler } from '../../refresh/scheduler.ts'
import type { TokenResponse } from '../../login/types.ts'
import type { HeldTokens } from '../../storage/types.ts'
import { parseStoredTokens, readTokenSet, serializeTokens, type TokenSet } from '../../token.ts'
import type { ClientContext } from '../types.ts'
import type { ResolvedJwtOptions } from './options.ts'

export type LogoutReason = AuthEvents['logout']['reason']

/** A step outrun by a later sign-in or sign-out (S17): its result must not land. */
export const superseded = () => new AuthError('not_authenticated', 'signed in or out meanwhile')

/**
 * The tokens this tab holds and their lifecycle: adopted (state, schedule), persisted, parsed and
 * checked, cleared. `due` runs when the proactive refresh is due (timer or wake from sleep); `read`
 * is the login method's token reader, if it brings one.
 */
export function createTokenLifecycle(ctx: ClientContext, options: ResolvedJwtOptions, clock: ServerClock, storage: HeldTokens, due: () => void, read = readTokenSet) {
  const expect = options
  const leeway = (set: TokenSet) => {
    const iat = set.claims.iat
    const lifetime = set.expiresAt !== null && typeof iat === 'number' ? set.expiresAt - iat * 1000 : Infinity
    // A 30 s leeway on a 10 s token would refresh constantly: never more than half its life.
    return Math.min(options.leewayMs, lifetime / 2)
  }
  const scheduler = createScheduler(() => {
    if (life.tokens && life.needsRefresh(life.tokens)) due()
  })

  const life = {
    tokens: null as TokenSet | null,
    /** Bumped by every login and logout: an older refresh must not bring a user back (S17). */
    epoch: 0,
    /** The failure that ended the last sign-in, for requests that were in flight when it ended. */
    ended: undefined as AuthError | undefined,
    /** Told whenever tokens are adopted (a cross-tab handoff waits on them). */
    waiters: new Set<() => void>(),
    /** Set while the page-load restore runs: not being signed in then is no error. */
    restoring: false,

    needsRefresh: (set: TokenSet) => set.expiresAt !== null && set.expiresAt - clock.now() <= leeway(set),

    adopt(next: TokenSet) {
      life.tokens = next
      life.ended = undefined
      ctx.setState({ status: 'authenticated', user: next.claims, expiresAt: next.expiresAt, lastError: null })
      if (next.expiresAt !== null) scheduler.schedule(next.expiresAt - leeway(next) - clock.now())
      for (const wake of life.waiters) wake()
    },
    // Cookie storage expires with the token: give it local time.
    persist: (next: TokenSet) => storage.set(serializeTokens(next), next.expiresAt === null ? null : next.expiresAt - clock.offset),
    parse: (raw: string) => parseStoredTokens(raw, clock.now(), expect, read),

    fromResponse(response: TokenResponse) {
      const next = read(response, clock.now(), expect, life.tokens)
      if (typeof next.claims.iat === 'number') clock.learn(next.claims.iat)
      return next
    },

    async clear(reason: LogoutReason) {
      const signedIn = life.tokens !== null
      life.epoch++
      life.tokens = null
      scheduler.cancel()
      // The last error stays: it may be why the sign-in ended.
      ctx.setState({ status: 'anonymous', user: null, expiresAt: null })
      await storage.remove()
      if (signedIn || reason === 'user') ctx.events.emit('logout', { reason })
    },

    destroy() {
      scheduler.destroy()
      for (const wake of life.waiters) wake()
    },
  }
  return life
}

export type TokenLifecycle = ReturnType<typeof createTokenLifecycle>
