import { createContext, createElement, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react'
import type { AuthClient, AuthState } from '@authlens/sdk'

const AuthContext = createContext<AuthClient | null>(null)

/** Makes one auth client available to the tree below. */
export function AuthProvider({ client, children }: { client: AuthClient; children?: ReactNode }) {
  return createElement(AuthContext.Provider, { value: client }, children)
}

/** The auth client: `login`, `logout`, `fetch`, ... */
export function useAuth(): AuthClient {
  const client = useContext(AuthContext)
  if (!client) throw new Error('useAuth() needs an <AuthProvider client={...}> above it')
  return client
}

/**
 * A slice of the auth state; the component re-renders only when that slice changes. As with
 * zustand's `useStore`, the selector must return a stable value (a field, not a new object).
 */
export function useAuthState<T>(selector: (state: AuthState) => T): T {
  const { store } = useAuth()
  return useSyncExternalStore(
    store.subscribe,
    () => selector(store.getState()),
    () => selector(store.getInitialState()),
  )
}

/**
 * Renders `children` when signed in, `fallback` while that is not known yet (restoring,
 * signing in), and `anonymous` (a sign-in form, a redirect) when signed out.
 */
export function RequireAuth({
  children,
  fallback = null,
  anonymous = null,
  onAnonymous,
}: {
  children?: ReactNode
  fallback?: ReactNode
  anonymous?: ReactNode
  /** Called when the user is (or becomes) signed out: navigate to a sign-in page here. */
  onAnonymous?: () => void
}) {
  const status = useAuthState((state) => state.status)
  useEffect(() => {
    if (status === 'anonymous') onAnonymous?.()
  }, [status, onAnonymous])
  if (status === 'authenticated' || status === 'refreshing') return children
  return status === 'anonymous' ? anonymous : fallback
}
