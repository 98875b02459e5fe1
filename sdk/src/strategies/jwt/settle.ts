import type { ServerClock } from '../../clock.ts'
import { AuthError } from '../../errors.ts'
import type { Strategy } from '../types.ts'
import type { ResolvedJwtOptions } from './options.ts'
import type { Refresh } from './refresh.ts'
import { superseded, type TokenLifecycle } from './tokens.ts'

/**
 * The request side: which token goes out (refreshed first when close to expiry), and whether a
 * 401 earns one refresh and one retry.
 */
export function createSettling(options: ResolvedJwtOptions, clock: ServerClock, life: TokenLifecycle, refresh: Refresh, inScope: (url: URL) => boolean) {
  /** The token to send now: refreshed first when close to expiry; a failed refresh that kept the
   * session falls back to the current token, which the server may still accept. */
  const currentToken = async (): Promise<string | undefined> => {
    if (life.needsRefresh(life.tokens)) {
      await refresh().catch((error) => {
        // A kept token is still worth sending while unexpired; one already past `exp` would only
        // earn a 401 and start a second refresh round for the same requests (S27, S28).
        const { tokens } = life
        if (!tokens || (tokens.expiresAt !== null && tokens.expiresAt <= clock.now())) throw error
      })
    }
    return life.tokens?.accessToken
  }

  const settling: Pick<Strategy, 'getAccessToken' | 'prepare' | 'recover'> = {
    async getAccessToken() {
      const token = await currentToken()
      if (!token) throw new AuthError('not_authenticated')
      return token
    },

    async prepare(url, _method, headers) {
      if (!inScope(url)) return { inScope: false }
      const token = await currentToken()
      if (!token) return { inScope: true }
      headers.set('Authorization', `Bearer ${token}`)
      return { inScope: true, token }
    },

    async recover(response, prepared, retried) {
      if (retried || response.status !== 401 || !prepared.token) return false
      const challenge = response.headers.get('www-authenticate') ?? ''
      if (options.refreshOn401 !== 'any' && !/error="?invalid_token/i.test(challenge)) return false
      // Signed out (logout, failed refresh) while this request was in flight: a refresh now would
      // repeat a failure already reported, or bring back a session the user ended (S4, S17).
      if (!life.tokens) throw life.ended ?? superseded()
      // Refreshed while this request was in flight: retry with the new token, no refresh (S25).
      if (life.tokens.accessToken !== prepared.token) return true
      await refresh()
      return true
    },
  }
  return settling
}
