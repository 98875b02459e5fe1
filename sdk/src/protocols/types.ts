import type { AuthRequestKind } from '../transport/auth-request.ts'

export interface TokenResponse {
  accessToken: string
  refreshToken?: string
  /** Seconds; used when the access token is not a JWT with `exp`. */
  expiresIn?: number
}

export type Credentials = Record<string, string>

/** Bring your own backend: two functions that talk to it and return tokens. */
export interface CustomProtocol {
  login(credentials: Credentials): Promise<TokenResponse>
  /** `refreshToken` is undefined with `refreshTokenTransport: 'cookie'`. */
  refresh(refreshToken: string | undefined): Promise<TokenResponse>
  /** Tells the server to revoke; the client has already forgotten the tokens. */
  logout?(tokens: { accessToken?: string; refreshToken?: string }): Promise<void>
}

export interface ProtocolContext {
  url(endpoint: 'login' | 'refresh' | 'logout'): string
  send(kind: AuthRequestKind, url: string, init: RequestInit): Promise<Record<string, unknown>>
  cookieTransport: boolean
  /** `X-XSRF-TOKEN` for requests that ride on a cookie. */
  csrfHeaders(): Record<string, string>
  clientId: string | undefined
}

export type Protocol = (context: ProtocolContext) => CustomProtocol
