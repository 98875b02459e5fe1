import { AuthError } from '../errors.ts'
import type { LoginMethod } from '../login/types.ts'
import { decodeJwt, type TokenReader } from '../token.ts'
import { authorizationUrl, takeLoginRecord, type OidcLoginOptions } from './authorize.ts'
import { cleanAddressBar, readAuthorizationResponse } from './callback.ts'
import { discover, type ProviderMetadata } from './discovery.ts'
import { endSession } from './end-session.ts'
import { checkIdToken } from './id-token.ts'
import { requestTokens } from './token-endpoint.ts'

export type { OidcLoginOptions } from './authorize.ts'
export type { ProviderMetadata } from './discovery.ts'

export interface OidcOptions {
  /** The provider's issuer identifier, exactly as its discovery document states it. */
  issuer: string
  /** This app's client id: a public client (no secret), registered with `redirectUri`. */
  clientId: string
  /** Where the provider sends the browser back; the page that calls `auth.handleRedirectCallback()`. */
  redirectUri: string
  /** Default `openid`. Add `offline_access` for a refresh token (many providers also want `prompt: 'consent'` then). */
  scope?: string
  /** Where the provider's end-session page sends the browser after `auth.logout()`; registered with the provider. */
  postLogoutRedirectUri?: string
  /** Authorization parameters sent with every login (e.g. `resource`, `ui_locales`). */
  params?: Record<string, string>
}

/**
 * OpenID Connect sign-in for `jwt({ login: oidc({ ... }) })`: Authorization Code with PKCE for a
 * public client in the browser. `auth.login(options)` goes to the provider;
 * `auth.handleRedirectCallback()` on the way back checks the response and the ID token and signs
 * in; refreshes use the refresh token (rotation, no iframes); `auth.logout()` revokes it and ends
 * the provider's session. The user is the ID token's claims; the access token may be opaque.
 */
export const oidc =
  (options: OidcOptions): LoginMethod =>
  ({ send }) => {
    const { issuer, clientId, redirectUri, scope = 'openid' } = options
    let cached: Promise<ProviderMetadata> | undefined
    // Once per page; a failed discovery is asked again next time.
    const metadata = () =>
      (cached ??= discover(send, issuer).catch((error: unknown) => {
        cached = undefined
        throw error
      }))
    const tokenRequest = async (kind: 'login' | 'refresh', fields: Record<string, string>) =>
      requestTokens(send, kind, (await metadata()).token_endpoint, { ...fields, client_id: clientId })

    /**
     * The tokens of this sign-in, from an answer or a stored record: the user is the ID token's
     * claims, kept from before when a refresh brings no new ID token; the expiry comes from
     * `expires_in` (or the stored one), since the access token is the API's and may be opaque.
     */
    const read: TokenReader = (record, serverNow, _expect, previous) => {
      const { accessToken, expiresIn, expiresAt } = record
      const refreshToken = record.refreshToken ?? previous?.refreshToken
      const idToken = record.idToken ?? previous?.idToken
      const claims = typeof idToken === 'string' ? decodeJwt(idToken) : undefined
      // Stored tokens of another provider or client (the configuration changed) are not ours (S24).
      if (typeof accessToken !== 'string' || !['string', 'undefined'].includes(typeof refreshToken) || claims?.iss !== issuer || ![claims.aud].flat().includes(clientId)) {
        throw new AuthError('invalid_response', 'tokens unreadable, or of another provider or client')
      }
      return {
        accessToken,
        refreshToken: refreshToken as string | undefined,
        idToken: idToken as string,
        // An ID token kept from an earlier answer says nothing of the time now: without its `iat`
        // the client neither learns the server's clock from it nor sizes the refresh leeway by it.
        claims: record.idToken ? claims : { ...claims, iat: undefined },
        expiresAt: typeof expiresIn === 'number' ? serverNow + expiresIn * 1000 : typeof expiresAt === 'number' ? expiresAt : null,
      }
    }

    return {
      async login(credentials) {
        const { authorization_endpoint: authorizationEndpoint } = await metadata()
        location.assign(await authorizationUrl({ authorizationEndpoint, clientId, redirectUri, scope, params: options.params }, credentials as OidcLoginOptions))
      },

      async callback(url = location.href) {
        const params = new URL(url).searchParams
        // Whatever the outcome, the response leaves the address bar first (O14, O15).
        cleanAddressBar()
        // The state is checked before anything is sent anywhere (O11).
        const record = takeLoginRecord(params.get('state'))
        const code = readAuthorizationResponse(params, await metadata())
        const tokens = await tokenRequest('login', { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: record.verifier })
        checkIdToken(tokens.idToken, { issuer, clientId, nonce: record.nonce, now: Date.now() })
        return { ...tokens, appState: record.appState }
      },

      async refresh(refreshToken) {
        if (!refreshToken) throw new AuthError('refresh_failed', 'no refresh token: ask for offline_access')
        const tokens = await tokenRequest('refresh', { grant_type: 'refresh_token', refresh_token: refreshToken })
        // A new ID token on refresh is checked as at sign-in, but for the nonce (OIDC Core §12.2).
        if (tokens.idToken !== undefined) checkIdToken(tokens.idToken, { issuer, clientId, now: Date.now() })
        return tokens
      },

      logout: ({ refreshToken, idToken }) => endSession(send, metadata, { clientId, postLogoutRedirectUri: options.postLogoutRedirectUri, refreshToken, idToken }),

      read,
    }
  }
