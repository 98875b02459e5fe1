import type { CrossTab } from '../../refresh/cross-tab.ts'
import type { HeldTokens } from '../../storage/types.ts'
import { serializeTokens, type TokenSet } from '../../token.ts'
import type { ClientContext } from '../types.ts'
import type { LogoutReason, TokenLifecycle } from './tokens.ts'

export interface Handoff {
  crossTab: CrossTab | undefined
  /** The cross-tab refresh our tokens come from: a newer one elsewhere makes ours stale. */
  generation: number
  publish(next: TokenSet | null, generation: number, login?: boolean): Promise<void>
  recordAndPost(next: TokenSet | null, login?: boolean): Promise<void>
  exclusive<T>(step: () => Promise<T>): Promise<T>
  announce(next: TokenSet | null, login?: boolean): Promise<void>
  wait(wanted: number, ms: number): Promise<boolean>
  signOut(reason: LogoutReason): Promise<void>
  listen(refreshing: () => boolean): void
}

/**
 * What the tabs of an origin tell each other: which generation of tokens is current (the record
 * in IndexedDB, read and written under the refresh lock), new tokens and logouts (BroadcastChannel).
 * `crossTab` is undefined where a tab is alone (Node, SSR, `crossTab: false`).
 */
export function createHandoff(ctx: ClientContext, life: TokenLifecycle, storage: HeldTokens, crossTab: CrossTab | undefined): Handoff {
  /** Set while this tab's own login or logout is being recorded for the other tabs (see `exclusive`). */
  let announcing = 0

  const sync: Handoff = {
    crossTab,
    generation: 0,

    /** Records new tokens (or a sign-out) as `generation` for the other tabs, then tells them. */
    async publish(next, generation, login) {
      const tokens = next && serializeTokens(next)
      // Only localStorage is shared by every tab like the record: a sessionStorage tab's tokens must
      // not outlive it there, nor a cookie's its expiry. The others take new tokens over the channel.
      await crossTab?.write(tokens ? { generation, ...(storage.kind === 'localStorage' && { tokens }) } : { generation, signedOut: true })
      crossTab?.post(tokens ? { type: 'tokens', generation, tokens, login } : { type: 'logout', generation })
    },

    /** A login or logout, recorded for the other tabs as the next generation; the caller holds the lock. */
    async recordAndPost(next, login) {
      if (!crossTab) return
      sync.generation = Math.max(sync.generation, (await crossTab.read())?.generation ?? 0) + 1
      await sync.publish(next, sync.generation, login)
    },

    /**
     * Runs a login or logout step holding the refresh lock. Until it is done, this tab ignores other
     * tabs' tokens and logouts: the lock ordered them before ours, so ours supersedes them. Adopting
     * one meanwhile (typically the previous user's tokens from a refresh that finished elsewhere a
     * moment earlier) would sign this tab back in after its logout, or leave it as the previous user
     * after its login while every other tab follows our announcement (both seen in Chromium with
     * five tabs: S9, S32).
     */
    async exclusive(step) {
      if (!crossTab) return step()
      announcing++
      try {
        return await crossTab.withLock(step)
      } finally {
        announcing--
      }
    },

    /** Records a login or logout for the other tabs, inside the lock, then tells them. */
    announce: (next, login) => sync.exclusive(() => sync.recordAndPost(next, login)),

    /** Signed out here and, since the tabs share the sign-in, in every tab. */
    async signOut(reason) {
      await life.clear(reason)
      await sync.announce(null).catch(() => undefined)
    },

    /** Waits, bounded, until tokens of `wanted` generation arrive from another tab. */
    wait: (wanted, ms) =>
      new Promise((resolve) => {
        const done = () => {
          life.waiters.delete(check)
          clearTimeout(timer)
          resolve(sync.generation >= wanted && life.tokens !== null)
        }
        const check = () => sync.generation >= wanted && done()
        const timer = setTimeout(done, ms)
        life.waiters.add(check)
        check()
      }),

    /** Follows the other tabs: answers a new tab's hello, adopts newer tokens, signs out with them. */
    listen(refreshing) {
      crossTab?.listen((message) => {
        if (message.type === 'hello') {
          if (life.tokens) crossTab.post({ type: 'tokens', generation: sync.generation, tokens: serializeTokens(life.tokens) })
        } else if (announcing) {
          // Older than the login or logout this tab is announcing (see `exclusive`).
          return
        } else if (message.type === 'logout') {
          sync.generation = Math.max(sync.generation, message.generation)
          if (life.tokens || refreshing()) {
            void life.clear('cross-tab')
            ctx.events.emit('cross-tab', { type: 'logout' })
          }
        } else if (message.generation > sync.generation || (!life.tokens && message.generation === sync.generation)) {
          let next
          try {
            next = life.parse(message.tokens)
          } catch {
            return
          }
          // Another user signed in elsewhere: this tab becomes that user, never a mix of two (S32).
          const switched = message.login || life.tokens?.claims.sub !== next.claims.sub
          if (switched) life.epoch++
          sync.generation = message.generation
          void life.persist(next)
          life.adopt(next)
          ctx.events.emit('cross-tab', { type: switched ? 'login' : 'tokens' })
        }
      })
    },
  }
  return sync
}

