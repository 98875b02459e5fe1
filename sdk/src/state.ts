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

export type AuthStateListener = (state: AuthState, previous: AuthState) => void

/**
 * The client's state as a vanilla store with zustand's API (`getState`, `setState` merging a
 * partial, `subscribe` with the previous state, `getInitialState`), so zustand's `useStore` and
 * its middleware take it as it is. Written out here rather than imported: ten lines cost the
 * core less than the dependency (about 0.1 KB min+gzip, measured in the size bench).
 */
export function createAuthStore() {
  let state = anonymous
  const listeners = new Set<AuthStateListener>()
  return {
    getState: () => state,
    getInitialState: () => anonymous,
    setState(partial: Partial<AuthState>) {
      const previous = state
      state = { ...state, ...partial }
      for (const listener of listeners) listener(state, previous)
    },
    subscribe(listener: AuthStateListener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}

export type AuthStore = ReturnType<typeof createAuthStore>
