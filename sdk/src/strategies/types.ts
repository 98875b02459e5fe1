import type { AuthError } from '../errors.ts'
import type { Emitter, StorageKind } from '../events.ts'
import type { Credentials } from '../login/types.ts'
import type { AuthState, AuthStore } from '../state.ts'
import type { AuthRequestKind } from '../transport/auth-request.ts'
import type { Scope } from '../transport/scope.ts'

/** What the client builds once and hands to its strategy. */
export interface ClientContext {
  /** Names this client's storage entry, cross-tab channel, lock and record. */
  key: string
  /** Running in a page (not Node, not SSR): the only case where browser APIs may be touched. */
  browser: boolean
  /** Coordinate with the other tabs of this origin. */
  crossTab: boolean
  store: AuthStore
  events: Emitter
  scope: Scope
  /** One auth request: deadline (S27), every failure a typed error; `onResponse` sees each answer. */
  send(kind: AuthRequestKind, url: string, init: RequestInit, onResponse?: (response: Response) => void): Promise<Record<string, unknown>>
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

/** What the strategy holds, as DevTools may see it (the bridge strips the token's signature). */
export interface Inspection {
  strategy: 'jwt' | 'session'
  storage: StorageKind
  clockOffsetMs: number
  accessToken: string | null
  hasRefreshToken: boolean
}

export interface Strategy {
  init(): Promise<void>
  /**
   * Signs in; or, with `callback`, finishes a sign-in that went to a provider (`input` is then the
   * URL it sent the browser back to) and resolves with the app's state carried through it.
   */
  login(input?: Credentials | string, step?: 'login' | 'callback'): Promise<{ appState?: unknown } | void>
  logout(): Promise<void>
  refresh(): Promise<void>
  getAccessToken(): Promise<string | null>
  /** Attaches the credential to an in-scope request's headers. */
  prepare(url: URL, method: string, headers: Headers): Promise<Prepared>
  /** After a 401 to an in-scope request: true when it should be sent once more (a fresh credential exists). */
  recover(response: { status: number; headers: Headers }, prepared: Prepared): Promise<boolean>
  inspect(): Inspection
  destroy(): void
}

/** A value for `createAuthClient({ strategy })`: `jwt(...)` or `session(...)`. */
export type StrategyFactory = (context: ClientContext) => Strategy
