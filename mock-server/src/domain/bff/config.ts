import { ConfigurationError } from '../errors.ts'
import type { OidcClientConfig } from '../oidc/clients.ts'
import { randomToken } from '../random.ts'
import { isSecureUrl } from '../urls.ts'

/** The backend-for-frontend: a confidential client of this backend's own OpenID Provider. */
export interface BffOptions {
  /** Its registration at the provider. Default `authlens-bff`. */
  clientId?: string
  /**
   * Its client secret (32+ characters). Default: 256 random bits, drawn at start; instances that
   * share a store must be given the same one, as each instance is also the provider.
   */
  clientSecret?: string
  /** Where the provider sends the browser back. Default `<issuer>/bff/callback`. */
  redirectUri?: string
  /** Where the provider's end_session returns the browser after sign-out. Default `<issuer>/`. */
  postLogoutRedirectUri?: string
  /** The one API the proxy forwards to: `/bff/api/x` goes to `<apiBase>/x`. Default `<issuer>/api`. */
  apiBase?: string
  /** Asked for at sign-in; `offline_access` is what gets a refresh token. Default `openid profile email offline_access`. */
  scope?: string
}

export interface ResolvedBff {
  clientId: string
  clientSecret: string
  redirectUri: string
  postLogoutRedirectUri: string
  /** Absolute, with no query or fragment. */
  apiBase: URL
  scope: string
  /** What the provider is given, so it checks this client as it checks any other. */
  registration: OidcClientConfig
}

/** Defaults follow the issuer, which is where this backend serves its own routes. */
export function resolveBff(options: BffOptions, issuer: string): ResolvedBff {
  if (typeof options !== 'object' || options === null) throw invalid('bff must be true or an object')
  const clientId = options.clientId ?? 'authlens-bff'
  const clientSecret = options.clientSecret ?? randomToken()
  const redirectUri = options.redirectUri ?? `${issuer}/bff/callback`
  const postLogoutRedirectUri = options.postLogoutRedirectUri ?? `${issuer}/`
  const apiBase = parseApiBase(options.apiBase ?? `${issuer}/api`)
  const scope = options.scope ?? 'openid profile email offline_access'
  if (!scope.split(' ').includes('openid')) throw invalid('bff.scope must include "openid"')
  return {
    clientId,
    clientSecret,
    redirectUri,
    postLogoutRedirectUri,
    apiBase,
    scope,
    registration: { clientId, name: 'AuthLens BFF', redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri], clientSecret },
  }
}

/** The proxy's only destination: https (http on loopback), no query, no fragment, no credentials. */
function parseApiBase(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw invalid(`bff.apiBase "${text}" is not an absolute URL`)
  }
  if (!isSecureUrl(url)) throw invalid(`bff.apiBase "${text}" must use https (http only on a loopback host)`)
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw invalid(`bff.apiBase "${text}" must have no query, fragment or credentials`)
  }
  return url
}

function invalid(message: string): ConfigurationError {
  return new ConfigurationError('invalid_option', message)
}
