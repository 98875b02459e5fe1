import { withFallback } from './fallback.ts'
import type { TokenStorage } from './types.ts'

/**
 * localStorage or sessionStorage, offered to show the trade-off, not to recommend it (OWASP's
 * Session Management cheat sheet says not to keep credentials there). Even reading
 * `window.localStorage` can throw (`SecurityError` with storage disabled, okta-auth-js #952), so
 * it is looked up on each use: any failure falls back to memory.
 */
export function webStorage(area: 'localStorage' | 'sessionStorage'): TokenStorage {
  const store = () => globalThis[area] as Storage
  return withFallback(
    {
      get: (key) => store().getItem(key),
      set: (key, value) => store().setItem(key, value),
      remove: (key) => store().removeItem(key),
    },
    area,
    area === 'localStorage'
      ? 'tokens in localStorage are readable by any script on this origin (XSS) and outlive the tab'
      : 'tokens in sessionStorage are readable by any script in this tab (XSS)',
  )
}
