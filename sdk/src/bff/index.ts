import { AuthError } from '../errors.ts'
import { session } from '../strategies/session.ts'
import type { StrategyFactory } from '../strategies/types.ts'

export interface BffOptions {
  /** Where the backend-for-frontend's routes are on this origin. Default `/bff`. */
  path?: string
  /** The BFF's readable CSRF cookie. Default `BFF-XSRF-TOKEN`. */
  csrfCookie?: string
}

/**
 * For an app behind a backend-for-frontend (browser-apps BCP §6.1): the BFF holds the tokens, the
 * page a session cookie, so this is the `session()` strategy pointed at the BFF's routes, with two
 * differences that are real. Signing in is a navigation: `auth.login({ returnTo })` sends the
 * browser to the BFF, which runs the code flow and brings it back to `returnTo` (default: this
 * page). Signing out ends the BFF session, then sends the browser to the provider's end-session
 * page the BFF names, as only the browser holds the provider's cookie.
 *
 *     createAuthClient({ baseURL: '/bff/api', strategy: bff() })
 */
export const bff =
  ({ path = '/bff', csrfCookie = 'BFF-XSRF-TOKEN' }: BffOptions = {}): StrategyFactory =>
  (ctx) => {
    // Absolute: session() resolves relative endpoints under baseURL (`/bff/api`), not beside it.
    const at = (route: string) => `${ctx.scope.resolve('/').origin}${path}/${route}`
    let endSessionUrl: unknown
    const strategy = session({ endpoints: { session: at('session'), logout: at('logout') }, csrf: { cookie: csrfCookie } })({
      ...ctx,
      // The sign-out's answer names the provider's end-session page; session() has no use for it.
      send: async (kind, url, init, onResponse) => {
        const answer = await ctx.send(kind, url, init, onResponse)
        if (kind === 'logout') endSessionUrl = answer.endSessionUrl
        return answer
      },
    })
    return {
      ...strategy,
      async login(input, step) {
        if (step) throw new AuthError('invalid_options', 'the BFF receives the provider\'s answer itself; there is no callback to handle here')
        const returnTo = typeof input === 'object' && typeof input.returnTo === 'string' ? input.returnTo : `${location.pathname}${location.search}${location.hash}`
        ctx.setState({ status: 'authenticating', lastError: null })
        location.assign(`${at('login')}?returnTo=${encodeURIComponent(returnTo)}`)
      },
      async logout() {
        endSessionUrl = undefined
        await strategy.logout()
        if (typeof endSessionUrl === 'string' && /^https?:\/\//.test(endSessionUrl)) location.assign(endSessionUrl)
      },
    }
  }
