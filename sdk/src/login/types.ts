import type { AuthRequestKind } from '../transport/auth-request.ts'

export interface TokenResponse {
  accessToken: string
  refreshToken?: string
  /** Seconds; used when the access token is not a JWT with `exp`. */
  expiresIn?: number
}

export type Credentials = Record<string, string>

/** How tokens are obtained, renewed and revoked: the JSON endpoints by default, or your own. */
export interface LoginProtocol {
  login(credentials: Credentials): Promise<TokenResponse>
  /** `refreshToken` is undefined with `refreshTokenTransport: 'cookie'`. */
  refresh(refreshToken: string | undefined): Promise<TokenResponse>
  /** Tells the server to revoke; the client has already forgotten the tokens. */
  logout?(tokens: { accessToken?: string; refreshToken?: string }): Promise<void>
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

/** A value for `jwt({ login })`: `jsonLogin()` (the default) or `customLogin({ ... })`. */
export type LoginMethod = (context: LoginContext) => LoginProtocol
