import { createStore } from 'zustand/vanilla'
import type { AuthError } from './errors.ts'

export type AuthStatus = 'anonymous' | 'authenticating' | 'authenticated' | 'refreshing'

/** Claims of the access token (JWT), or the user the session endpoint describes. */
export interface AuthUser {
  sub?: string
  [claim: string]: unknown
}

export interface AuthState {
  status: AuthStatus
  user: AuthUser | null
  /** Server-time milliseconds when the credential expires, if known. */
  expiresAt: number | null
  lastError: AuthError | null
}

export const anonymous: AuthState = { status: 'anonymous', user: null, expiresAt: null, lastError: null }

export const createAuthStore = () => createStore<AuthState>(() => anonymous)

export type AuthStore = ReturnType<typeof createAuthStore>
