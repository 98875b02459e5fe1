import type { CrossTab, CrossTabRecord } from '../../refresh/cross-tab.ts'
import type { HeldTokens } from '../../storage/types.ts'
import { serializeTokens, type TokenSet } from '../../token.ts'
import type { ClientContext } from '../types.ts'
import type { TokenLifecycle } from './tokens.ts'

export interface Handoff {
  crossTab: CrossTab | undefined
  /** The cross-tab refresh our tokens come from: a newer one elsewhere makes ours stale. */
  generation: number
  record(next: TokenSet | null, of?: number): CrossTabRecord
  recordAndPost(next: TokenSet | null, login?: boolean): Promise<void>
  exclusive<T>(step: () => Promise<T>): Promise<T>
  announce(next: TokenSet | null, login?: boolean): Promise<void>
  wait(wanted: number, ms: number): Promise<boolean>
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

    record: (next, of = sync.generation) =>
      // Only localStorage is shared by every tab like the record: a sessionStorage tab's tokens must
      // not outlive it there, nor a cookie's its expiry. The others take new tokens over the channel.
      next ? { generation: of, ...(storage.kind === 'localStorage' ? { tokens: serializeTokens(next) } : {}) } : { generation: of, signedOut: true },

    /** Records a login or logout for the other tabs, then tells them; the caller holds the lock. */
    async recordAndPost(next, login = false) {
      if (!crossTab) return
      sync.generation = Math.max(sync.generation, (await crossTab.read())?.generation ?? 0) + 1
      await crossTab.write(sync.record(next))
      crossTab.post(next ? { type: 'tokens', generation: sync.generation, tokens: serializeTokens(next), login } : { type: 'logout', generation: sync.generation })
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
    announce: (next, login = false) => sync.exclusive(() => sync.recordAndPost(next, login)),

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

