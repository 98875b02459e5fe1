import { createServerClock } from '../../clock.ts'
import { asAuthError, AuthError, revocationFailed } from '../../errors.ts'
import { createCrossTab, crossTabSupported } from '../../refresh/cross-tab.ts'
import { anonymous } from '../../state.ts'
import type { Credentials } from '../../login/types.ts'
import type { TokenSet } from '../../token.ts'
import { createCsrf } from '../../transport/csrf.ts'
import type { StrategyFactory } from '../types.ts'
import { createHandoff } from './handoff.ts'
import { resolveJwtOptions, type JwtOptions } from './options.ts'
import { createRefresh } from './refresh.ts'
import { restore } from './restore.ts'
import { createSettling } from './settle.ts'
import { createTokenLifecycle, superseded } from './tokens.ts'

export type { JwtOptions } from './options.ts'

/**
 * JWT strategy: an access token sent as `Authorization: Bearer`, renewed with a refresh token
 * (held here or in an HttpOnly cookie) before it expires and after a 401, once across all tabs.
 */
export const jwt =
  (input: JwtOptions = {}): StrategyFactory =>
  (ctx) => {
    const options = resolveJwtOptions(input)
    const { events, scope } = ctx
    const clock = createServerClock()
    const csrf = createCsrf(scope, options.csrf)
    const storage = options.storage(ctx.key, events)
    const protocol = options.login({
      url: (name) => scope.resolve(options.endpoints?.[name] ?? `/auth/${name}`).href,
      send: (kind, url, init) => ctx.send(kind, url, init, (response) => clock.learnFromResponse(response)),
      cookieTransport: options.cookieTransport,
      csrfHeaders: csrf.headers,
    })
    const crossTab =
      ctx.crossTab && ctx.browser && crossTabSupported()
        ? createCrossTab(ctx.key, options.lockTimeoutMs, () =>
            events.emit('warning', { code: 'lock_timeout', message: 'refresh lock timed out' }),
          )
        : undefined
    // `refresh` is created below; the lifecycle only calls it once a token is due.
    const life = createTokenLifecycle(ctx, options, clock, storage, () => void refresh().catch(() => undefined), protocol.read)
    const sync = createHandoff(ctx, life, storage, crossTab)
    const refresh = createRefresh(ctx, options, clock, protocol, life, sync)
    sync.listen(refresh.isRunning)

    return {
      init: () => restore(ctx, options, storage, csrf, life, sync, refresh),

      /**
       * A sign-in: tokens from the login method, or none yet when it sent the browser to a provider;
       * the `callback` step finishes that one (`credentials` is then the URL the provider sent it
       * back to) and resolves with the app's state it carried.
       * The request itself runs under the refresh lock, so no tab refreshes meanwhile: with the
       * refresh token in an HttpOnly cookie, a refresh answered after the login would put the
       * previous user's cookie back in the jar, and the next refresh would bring that user back in
       * every tab (seen in Chromium, S32).
       */
      async login(credentials, step = 'login') {
        const started = ++life.epoch
        ctx.setState({ status: 'authenticating', lastError: null })
        return sync.exclusive(async () => {
          let response, next: TokenSet
          try {
            // A login method without a callback (JSON, custom) fails it as an `invalid_response`.
            response = await protocol[step]!(credentials as (Credentials & string) | undefined)
            if (!response) return
            next = life.fromResponse(response)
          } catch (error) {
            const failure = asAuthError(error, 'invalid_response')
            if (life.epoch === started) {
              life.tokens = null
              ctx.setState(anonymous)
            }
            ctx.report(failure)
            throw failure
          }
          if (life.epoch !== started) throw superseded()
          await life.persist(next)
          life.adopt(next)
          events.emit('login', { user: next.claims })
          await sync.recordAndPost(next, true).catch((error: AuthError) => ctx.report(error))
          return { appState: (response as { appState?: unknown }).appState }
        })
      },

      async logout() {
        const previous = life.tokens
        // Forgotten here first: a failed revocation must not leave anyone signed in (S31).
        await sync.signOut('user')
        if (!protocol.logout || (!previous && !options.cookieTransport)) return
        try {
          await protocol.logout({ ...previous })
        } catch (error) {
          const failure = revocationFailed(error)
          ctx.report(failure)
          throw failure
        }
      },

      refresh: () => refresh(),
      ...createSettling(options, clock, life, refresh, scope.contains),

      inspect: () => ({
        strategy: 'jwt',
        storage: storage.kind,
        clockOffsetMs: clock.offset,
        accessToken: life.tokens?.accessToken ?? null,
        hasRefreshToken: Boolean(life.tokens?.refreshToken) || (options.cookieTransport && life.tokens !== null),
      }),
      destroy() {
        life.destroy()
        refresh.destroy()
        crossTab?.close()
      },
    }
  }
