import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { errors, type Configuration } from 'oidc-provider'

export interface ReferenceProviderOptions {
  /** A public client: the SPA, registered with these exact URIs. */
  client: { clientId: string; redirectUri: string; postLogoutRedirectUri: string }
  /** The API, as a resource server (RFC 8707): its resource indicator is the access tokens' `aud`. */
  api: { resource: string; scope: string }
  /** The only account that signs in. */
  accountId: string
  /**
   * DPoP required for the client (`dpop_bound_access_tokens`, RFC 9449 §5.2), with server nonces
   * demanded at the token endpoint (RFC 9449 §8): without a nonce secret the provider never asks.
   */
  dpop?: boolean
}

/**
 * `oidc-provider` (an OpenID Certified provider) as a deployment would run it, not a relaxed
 * test mode: PKCE S256 required, refresh tokens rotated at every use (a reused one ends the
 * grant), access tokens for the API as RFC 9068 JWTs signed with the provider's published ES256
 * key, RFC 7009 revocation, RP-Initiated Logout with its confirmation page, CORS only for the
 * client's own origin.
 *
 * Its sign-in and consent pages are its built-in `devInteractions`: the provider's own pages,
 * which a deployment replaces with its branded ones. They take any password, so `findAccount`
 * is where the account is checked: any login but the test user's is refused.
 */
export async function createReferenceProvider(issuer: string, { client, api, accountId, dpop = false }: ReferenceProviderOptions): Promise<Provider> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'es256-1', alg: 'ES256', use: 'sig' }
  const spaOrigin = new URL(client.redirectUri).origin

  const configuration: Configuration = {
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: client.clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [client.redirectUri],
        post_logout_redirect_uris: [client.postLogoutRedirectUri],
        id_token_signed_response_alg: 'ES256',
        ...(dpop && { dpop_bound_access_tokens: true }),
      },
    ],
    findAccount: (_ctx, id) => (id === accountId ? { accountId, claims: () => ({ sub: accountId }) } : undefined),
    pkce: { required: () => true },
    rotateRefreshToken: true,
    // The browser may call the token, revocation and userinfo endpoints from the SPA's origin only.
    clientBasedCORS: (_ctx, origin, { clientId }) => clientId === client.clientId && origin === spaOrigin,
    features: {
      devInteractions: { enabled: true },
      ...(dpop && { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } }),
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: (_ctx, resource, { clientId }) => {
          if (resource !== api.resource || clientId !== client.clientId) throw new errors.InvalidTarget()
          return { audience: api.resource, scope: api.scope, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } }
        },
        // The SDK names the API with `resource` in the authorization request (RFC 8707 §2.1) and
        // not again at the token endpoint; without this, a code or refresh token that also holds
        // `openid` would get an access token for userinfo instead of one for the API.
        useGrantedResource: () => true,
      },
    },
  }
  return new Provider(issuer, configuration)
}
