import { ConfigurationError } from '../errors.ts'
import { safeEqual } from '../random.ts'
import { isSecureUrl } from '../urls.ts'

/** A relying party registered with the provider, as configured. */
export interface OidcClientConfig {
  clientId: string
  /** Exact strings: an authorization request must name one of them character for character (O2). */
  redirectUris: string[]
  /** Where `end_session` may send the browser back to, exactly (O10). */
  postLogoutRedirectUris?: string[]
  /** Shown on the login page. Default: the client id. */
  name?: string
  /**
   * First-party clients sign in without a consent screen. Every client is first-party for now:
   * the provider has no consent page yet.
   */
  firstParty?: true
  /**
   * A confidential client (a backend, such as a BFF) authenticates at the token endpoint with
   * this secret (`client_secret_basic` or `client_secret_post`). Absent: a public client
   * (`token_endpoint_auth_method: none`), which PKCE alone protects.
   */
  clientSecret?: string
}

export interface OidcClient {
  clientId: string
  name: string
  redirectUris: ReadonlySet<string>
  postLogoutRedirectUris: ReadonlySet<string>
  clientSecret: string | undefined
}

const MIN_SECRET_LENGTH = 32

/** The registered clients, checked once at start-up: a bad registration is a `ConfigurationError`. */
export class ClientRegistry {
  private readonly byId = new Map<string, OidcClient>()
  /** Origins of the registered redirect URIs: the pages allowed to call the provider's endpoints cross-origin. */
  readonly origins: ReadonlySet<string>

  constructor(configs: readonly OidcClientConfig[]) {
    if (!Array.isArray(configs)) throw invalid('oidcClients must be an array')
    const origins = new Set<string>()
    for (const config of configs) {
      const client = validateClient(config)
      if (this.byId.has(client.clientId)) throw invalid(`oidcClients: client id "${client.clientId}" is registered twice`)
      this.byId.set(client.clientId, client)
      for (const uri of client.redirectUris) origins.add(new URL(uri).origin)
    }
    this.origins = origins
  }

  get size(): number {
    return this.byId.size
  }

  get(clientId: string): OidcClient | undefined {
    return this.byId.get(clientId)
  }
}

/** Whether `secret` is this confidential client's secret, compared without an early exit. */
export function secretMatches(client: OidcClient, secret: string): boolean {
  return client.clientSecret !== undefined && safeEqual(secret, client.clientSecret)
}

function validateClient(config: OidcClientConfig): OidcClient {
  if (typeof config !== 'object' || config === null) throw invalid('oidcClients: each client must be an object')
  const { clientId, redirectUris, postLogoutRedirectUris = [], name, firstParty, clientSecret } = config
  if (typeof clientId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(clientId)) {
    throw invalid('oidcClients: clientId must be 1 to 128 visible ASCII characters')
  }
  const where = `oidcClients["${clientId}"]`
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) throw invalid(`${where}: redirectUris must list at least one URI`)
  if (!Array.isArray(postLogoutRedirectUris)) throw invalid(`${where}: postLogoutRedirectUris must be an array`)
  for (const uri of [...redirectUris, ...postLogoutRedirectUris]) assertRedirectUri(where, uri)
  if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > 100)) {
    throw invalid(`${where}: name must be a string of 1 to 100 characters`)
  }
  if (firstParty !== undefined && firstParty !== true) {
    throw invalid(`${where}: firstParty can only be true: the provider has no consent page for third-party clients yet`)
  }
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret.length < MIN_SECRET_LENGTH)) {
    throw invalid(`${where}: clientSecret must be at least ${MIN_SECRET_LENGTH} random characters`)
  }
  return {
    clientId,
    name: name ?? clientId,
    redirectUris: new Set(redirectUris),
    postLogoutRedirectUris: new Set(postLogoutRedirectUris),
    clientSecret,
  }
}

/** RFC 9700 §4.1.3 and §2.6: absolute, no fragment, and https unless on this machine's loopback. */
function assertRedirectUri(where: string, uri: unknown): void {
  if (typeof uri !== 'string') throw invalid(`${where}: redirect URIs must be strings`)
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw invalid(`${where}: "${uri}" is not an absolute URL`)
  }
  if (url.hash !== '' || uri.includes('#')) throw invalid(`${where}: "${uri}" must not have a fragment`)
  if (!isSecureUrl(url)) throw invalid(`${where}: "${uri}" must use https (http only on a loopback host)`)
}

function invalid(message: string): ConfigurationError {
  return new ConfigurationError('invalid_option', message)
}
