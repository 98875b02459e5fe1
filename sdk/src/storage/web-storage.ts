import type { TokenStorage } from './types.ts'

/**
 * localStorage or sessionStorage. Even reading `window.localStorage` can throw (`SecurityError`
 * with storage disabled, okta-auth-js #952), so it is looked up on each use and every call may
 * throw: the caller falls back to memory.
 */
export function webStorage(kind: 'localStorage' | 'sessionStorage'): TokenStorage {
  const area = () => globalThis[kind] as Storage
  return {
    get: (key) => area().getItem(key),
    set: (key, value) => area().setItem(key, value),
    remove: (key) => area().removeItem(key),
  }
}
