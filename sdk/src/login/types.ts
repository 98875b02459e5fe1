import type { TokenReader } from '../token.ts'
import type { AuthRequestKind } from '../transport/auth-request.ts'

/** A type, not an interface, so that it is a `Record` the token reader takes. */
export type TokenResponse = {
  accessToken: string
  refreshToken?: string
  /** Seconds; used when the access token is not a JWT with `exp` (always by the OIDC reader). */
  expiresIn?: number
  /** OpenID Connect: an ID token the login method has checked (its `read` makes its claims the user's). */
  idToken?: string
}

/** What `auth.login(...)` passes on: the JSON login's credentials, the OIDC login's options. */
export type Credentials = Record<string, unknown>

/** How tokens are obtained, renewed and revoked: the JSON endpoints by default, or your own. */
export interface LoginProtocol {
  /** Tokens; or nothing when the method sends the browser elsewhere (a provider) to finish in `callback`. */
  login(credentials?: Credentials): Promise<TokenResponse | void>
  /** Back from the provider (`auth.handleRedirectCallback(url)`): the tokens, and the app's state carried through. */
  callback?(url?: string): Promise<TokenResponse & { appState?: unknown }>
  /** `refreshToken` is undefined with `refreshTokenTransport: 'cookie'`. */
  refresh(refreshToken: string | undefined): Promise<TokenResponse>
  /**
   * Tells the server to revoke; the client has already forgotten the tokens. A method may go on
   * from there (OIDC: to the provider's end-session page); a rejection is reported as `revocation_failed`.
   */
  logout?(tokens: { accessToken?: string; refreshToken?: string; idToken?: string }): Promise<void>
  /** Reads its answers and the stored records into tokens, when they are not a JWT access token's (OIDC: the ID token's claims). */
  read?: TokenReader
}

/** What the JWT strategy hands a login method. */
export interface LoginContext {
  /** The endpoint's URL, resolved against `baseURL`. */
  url(endpoint: 'login' | 'refresh' | 'logout'): string
  /** One auth request: deadline, typed errors, server clock learned. */
  send(kind: AuthRequestKind, url: string, init: RequestInit): Promise<Record<string, unknown>>
  cookieTransport: boolean
  /** `X-XSRF-TOKEN` for requests that ride on a cookie. */
  csrfHeaders(): Record<string, string>
}

/** A value for `jwt({ login })`: `jsonLogin()` (the default), `customLogin({ ... })` or `oidc({ ... })`. */
export type LoginMethod = (context: LoginContext) => LoginProtocol
