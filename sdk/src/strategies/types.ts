import type { ServerClock } from '../clock.ts'
import type { AuthError } from '../errors.ts'
import type { Emitter } from '../events.ts'
import type { ResolvedOptions } from '../options.ts'
import type { CustomProtocol, Credentials } from '../protocols/types.ts'
import type { CrossTab } from '../refresh/cross-tab.ts'
import type { AuthState, AuthStore } from '../state.ts'
import type { SafeStorage } from '../storage/safe-storage.ts'
import type { AuthRequestKind } from '../transport/auth-request.ts'
import type { Scope } from '../transport/scope.ts'

/** What the client builds once and hands to its strategy. */
export interface ClientContext {
  options: ResolvedOptions
  store: AuthStore
  events: Emitter
  clock: ServerClock
  scope: Scope
  storage: SafeStorage
  crossTab: CrossTab | undefined
  protocol: CustomProtocol
  endpoint(name: 'login' | 'refresh' | 'logout' | 'session'): string
  send(kind: AuthRequestKind, url: string, init: RequestInit): Promise<Record<string, unknown>>
  /** The double-submit header for requests that ride on a cookie (S15). */
  csrfHeaders(): Record<string, string>
  /** False only when a cookie-borne sign-in certainly does not exist, so restoring can skip asking. */
  cookieHint(): boolean
  setState(state: Partial<AuthState>): void
  /** Records an error in state and emits it. */
  report(error: AuthError): void
}

/** How a request is sent: what `prepare` attached, so `recover` can judge the answer. */
export interface Prepared {
  inScope: boolean
  token?: string
  credentials?: RequestCredentials
  /** `sub` of the user signed in when the credential was attached. */
  user?: string | undefined
}

export interface Strategy {
  init(): Promise<void>
  login(credentials: Credentials): Promise<void>
  logout(): Promise<void>
  refresh(): Promise<void>
  getAccessToken(): Promise<string | null>
  /** Attaches the credential to an in-scope request's headers. */
  prepare(url: URL, method: string, headers: Headers): Promise<Prepared>
  /** After a response: true when the request should be sent once more (a fresh credential exists). */
  recover(response: { status: number; headers: Headers }, prepared: Prepared): Promise<boolean>
  /** The access token, if any, for the devtools bridge (which strips its signature). */
  accessToken(): string | null
  hasRefreshToken(): boolean
  destroy(): void
}
