import { asAuthError, AuthError, isAuthError, revocationFailed } from '../errors.ts'
import { jsonPost } from '../login/json.ts'
import { anonymous, type AuthUser } from '../state.ts'
import { createCsrf, type CsrfOptions } from '../transport/csrf.ts'
import { isUnsafeMethod } from '../transport/scope.ts'
import type { StrategyFactory } from './types.ts'

export interface SessionOptions {
  /** Under `baseURL` unless absolute. Defaults `/session/login`, `/session/logout`, `/session`. */
  endpoints?: { login?: string; logout?: string; session?: string }
  /** Double-submit CSRF. Default `{ cookie: 'XSRF-TOKEN', header: 'X-XSRF-TOKEN' }`. */
  csrf?: CsrfOptions
}

interface SessionAnswer {
  user?: AuthUser
  expiresAt?: string
}

/**
 * Session strategy: the server keeps the state and the browser an HttpOnly cookie. The client
 * sends credentials to `baseURL` only, adds the CSRF header to unsafe requests, and asks the
 * session endpoint who is signed in. Other tabs re-check when one signs in or out.
 */
export const session =
  (options: SessionOptions = {}): StrategyFactory =>
  (ctx) => {
    const { events, scope } = ctx
    const csrf = createCsrf(scope, options.csrf)
    const url = (name: 'login' | 'logout' | 'session') => scope.resolve(options.endpoints?.[name] ?? (name === 'session' ? '/session' : `/session/${name}`)).href
    // The cookie is shared by the tabs: one tab's sign-in or sign-out is theirs too.
    const channel = ctx.crossTab && ctx.browser && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(`authlens:${ctx.key}`) : undefined
    let epoch = 0
    /** Set while the page-load restore runs: finding no session then is no expiry and no logout. */
    let restoring = false
    const signedIn = () => ctx.store.getState().status !== 'anonymous'

    const apply = (answer: SessionAnswer) => {
      const expiresAt = answer.expiresAt ? Date.parse(answer.expiresAt) : NaN
      ctx.setState({ status: 'authenticated', user: answer.user ?? {}, expiresAt: Number.isNaN(expiresAt) ? null : expiresAt, lastError: null })
    }

    const ended = (reason: 'user' | 'cross-tab' | 'session_expired') => {
      // The client shows `authenticating` during the restore; nobody was signed in yet.
      const was = signedIn() && !restoring
      epoch++
      ctx.setState({ ...anonymous, lastError: ctx.store.getState().lastError })
      if (reason === 'session_expired' && was) events.emit('expired', { reason })
      if (was || reason === 'user') events.emit('logout', { reason })
    }

    /** Asks the server; a 401 means signed out, anything else unexpected keeps the state. */
    const check = async (quiet: boolean) => {
      const started = epoch
      try {
        const answer = await ctx.send('session', url('session'), { credentials: 'include' })
        if (epoch === started) apply(answer)
      } catch (error) {
        if (epoch !== started || !isAuthError(error)) return
        if (error.code === 'session_expired') ended('session_expired')
        else if (!quiet) {
          ctx.report(error)
          throw error
        }
      }
    }

    if (channel) {
      channel.onmessage = ({ data }: MessageEvent<'login' | 'logout'>) => {
        if (data === 'logout') {
          if (signedIn()) {
            ended('cross-tab')
            events.emit('cross-tab', { type: 'logout' })
          }
        } else if (data === 'login') {
          // Perhaps as someone else: re-read who the shared cookie now belongs to.
          void check(true).then(() => events.emit('cross-tab', { type: 'login' }))
        }
      }
    }

    return {
      async init() {
        restoring = true
        try {
          if (csrf.hint()) await check(true)
        } finally {
          restoring = false
          // No answer (offline, server error): not known to be signed in, so not "still finding out".
          if (ctx.store.getState().status === 'authenticating') ctx.setState({ status: 'anonymous' })
        }
      },

      async login(credentials, step) {
        if (step) throw new AuthError('invalid_options', 'a session has no redirect callback; use jwt({ login: oidc(...) })')
        const started = ++epoch
        ctx.setState({ status: 'authenticating', lastError: null })
        try {
          const answer = await ctx.send('login', url('login'), jsonPost(credentials, 'include'))
          if (epoch !== started) throw new AuthError('not_authenticated', 'a later sign-in or sign-out replaced this one')
          apply(answer)
          events.emit('login', { user: ctx.store.getState().user! })
          channel?.postMessage('login')
        } catch (error) {
          const failure = asAuthError(error, 'invalid_response')
          if (epoch === started) ctx.setState({ ...anonymous })
          ctx.report(failure)
          throw failure
        }
      },

      async logout() {
        const headers = csrf.headers()
        ended('user')
        channel?.postMessage('logout')
        try {
          await ctx.send('logout', url('logout'), jsonPost({}, 'include', headers))
        } catch (error) {
          const failure = revocationFailed(error)
          ctx.report(failure)
          throw failure
        }
      },

      /** Sessions slide on the server; a "refresh" re-reads who is signed in and until when. */
      refresh: async () => {
        await check(false)
        const { status, expiresAt } = ctx.store.getState()
        if (status === 'authenticated') events.emit('refresh', { expiresAt })
      },
      getAccessToken: async () => null,

      async prepare(target, method, headers) {
        if (!scope.contains(target)) return { inScope: false }
        if (isUnsafeMethod(method)) for (const [name, value] of Object.entries(csrf.headers())) headers.set(name, value)
        return { inScope: true, credentials: 'include' }
      },

      async recover(response, prepared) {
        if (prepared.inScope && response.status === 401 && signedIn()) ended('session_expired')
        return false
      },

      inspect: () => ({ strategy: 'session', storage: 'memory', clockOffsetMs: 0, accessToken: null, hasRefreshToken: false }),
      destroy: () => channel?.close(),
    }
  }
