import type { LoginContext } from '../login/types.ts'
import type { ProviderMetadata } from './discovery.ts'
import { formPost } from './token-endpoint.ts'

export interface SignOut {
  clientId: string
  postLogoutRedirectUri?: string
  refreshToken?: string
  idToken?: string
}

/**
 * After the local sign-out: the refresh token revoked (RFC 7009; revoking it ends the grant, and
 * providers refuse to revoke JWT access tokens with `unsupported_token_type`), then the provider's
 * own session ended (RP-Initiated Logout 1.0 §2). A failed revocation does not stop the way to
 * the end-session page: it is thrown once the browser is on its way, to be reported (O19).
 */
export async function endSession(send: LoginContext['send'], metadata: () => Promise<ProviderMetadata>, signOut: SignOut): Promise<void> {
  const { clientId, postLogoutRedirectUri, refreshToken, idToken } = signOut
  let failure: unknown
  let provider: ProviderMetadata | undefined
  try {
    provider = await metadata()
    if (refreshToken && provider.revocation_endpoint) {
      await send('logout', provider.revocation_endpoint, formPost({ token: refreshToken, token_type_hint: 'refresh_token', client_id: clientId }))
    }
  } catch (error) {
    failure = error
  }
  if (provider?.end_session_endpoint) {
    const url = new URL(provider.end_session_endpoint)
    const params = { client_id: clientId, id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri }
    for (const [name, value] of Object.entries(params)) if (value) url.searchParams.set(name, value)
    location.assign(url.href)
  }
  if (failure) throw failure
}
