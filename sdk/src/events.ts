import type { AuthError } from './errors.ts'
import type { AuthUser } from './state.ts'

export type StorageKind = 'memory' | 'localStorage' | 'sessionStorage' | 'cookie' | 'custom'

export interface AuthEvents {
  login: { user: AuthUser }
  logout: { reason: 'user' | 'cross-tab' | 'refresh_failed' | 'refresh_token_reused' | 'session_expired' }
  refresh: { expiresAt: number | null }
  'refresh-failed': { error: AuthError }
  /** The credential expired or the server ended the session. */
  expired: { reason: 'session_expired' | 'token_expired' }
  /** A protected request was refused and could not be recovered. */
  unauthorized: { url: string; status: number }
  'storage-fallback': { from: StorageKind; reason: string }
  /** Opt-in storage in use, a stored token discarded, a cross-tab lock not obtained in time, a DPoP key not kept. */
  warning: { code: 'insecure_storage' | 'token_discarded' | 'lock_timeout' | 'key_in_memory'; message: string }
  'cross-tab': { type: 'login' | 'logout' | 'tokens' }
  error: { error: AuthError }
}

export type AuthEventName = keyof AuthEvents
export type AuthEventListener<K extends AuthEventName> = (payload: AuthEvents[K]) => void

/** A listener that throws must not break auth: it is reported asynchronously and skipped. */
export function createEmitter() {
  const listeners = new Map<AuthEventName, Set<(payload: never) => void>>()
  /** Plugins (the devtools bridge) see every event first. */
  const taps = new Set<(name: AuthEventName, payload: object) => void>()
  return {
    tap(listener: (name: AuthEventName, payload: object) => void): () => void {
      taps.add(listener)
      return () => void taps.delete(listener)
    },
    on<K extends AuthEventName>(name: K, listener: AuthEventListener<K>): () => void {
      const set = listeners.get(name) ?? new Set()
      listeners.set(name, set.add(listener as never))
      return () => void set.delete(listener as never)
    },
    emit<K extends AuthEventName>(name: K, payload: AuthEvents[K]): void {
      for (const listener of taps) listener(name, payload)
      for (const listener of listeners.get(name) ?? []) {
        try {
          ;(listener as AuthEventListener<K>)(payload)
        } catch (error) {
          queueMicrotask(() => {
            throw error
          })
        }
      }
    },
    clear() {
      listeners.clear()
      taps.clear()
    },
  }
}

export type Emitter = ReturnType<typeof createEmitter>
