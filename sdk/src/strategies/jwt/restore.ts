import type { Csrf } from '../../transport/csrf.ts'
import type { HeldTokens } from '../../storage/types.ts'
import type { ClientContext } from '../types.ts'
import type { Handoff } from './handoff.ts'
import type { ResolvedJwtOptions } from './options.ts'
import type { Refresh } from './refresh.ts'
import type { TokenLifecycle } from './tokens.ts'

/** How long a new tab asks the open ones for their tokens before asking the server. */
const HELLO_MS = 250

/**
 * On page load: the tokens of this tab's storage or of the cross-tab record, else those of an
 * open tab (asked over BroadcastChannel), else a sign-in the HttpOnly refresh cookie still holds.
 */
export async function restore(ctx: ClientContext, options: ResolvedJwtOptions, storage: HeldTokens, csrf: Csrf, life: TokenLifecycle, sync: Handoff, refresh: Refresh) {
  life.restoring = true
  try {
    const latest = await sync.crossTab?.read()
    // In persistent modes the record, not localStorage, is the consistent copy across tabs.
    // After a sign-out anywhere, tokens left in this tab's storage are dead: drop, don't restore.
    if (latest?.signedOut) await storage.remove()
    const raw = latest?.tokens ?? (await storage.get())
    // Another tab's tokens arrived while we read (its answer to a new tab's 'hello'), with
    // their generation. In memory mode `raw` is then just our copy of them, and restoring it
    // as generation 0 made this tab, at the next expiry, wait out the handoff while holding
    // the lock and refresh on its own (seen in Chromium, tabs opened together: S8, S9).
    if (life.tokens) return
    if (raw) {
      try {
        const stored = life.parse(raw)
        sync.generation = latest?.tokens ? latest.generation : 0
        life.adopt(stored)
        if (life.needsRefresh(stored)) await refresh().catch(() => undefined)
        return
      } catch {
        // Malformed, tampered or foreign tokens are dropped, never sent (S13, S24).
        await storage.remove()
        ctx.events.emit('warning', { code: 'token_discarded', message: 'stored tokens discarded' })
      }
    }
    if (sync.crossTab && latest && !latest.signedOut) {
      sync.crossTab.post({ type: 'hello' })
      if (await sync.wait(latest.generation, HELLO_MS)) return
    }
    // The HttpOnly refresh cookie may still hold a sign-in from an earlier visit.
    if (options.cookieTransport && !life.tokens && csrf.hint()) await refresh().catch(() => undefined)
  } finally {
    life.restoring = false
    // Nothing to restore (no stored tokens, no other tab, no refresh cookie): the client
    // set `authenticating` on creation, so say "signed out" rather than "still finding out"
    // for ever (RequireAuth would show its fallback indefinitely).
    if (!life.tokens && ctx.store.getState().status === 'authenticating') ctx.setState({ status: 'anonymous' })
  }
}
