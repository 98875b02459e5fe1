import { readCookie } from '../transport/csrf.ts'
import { withFallback } from './fallback.ts'
import type { TokenStorage } from './types.ts'

/**
 * A JS-readable cookie, offered to compare, not to recommend (the browser-apps BCP calls it
 * "not recommended"). Strict same-site, whole-site path, expiring with the token (S21).
 */
export function cookieStorage(): TokenStorage {
  const write = (key: string, value: string, expires: string) => {
    const secure = globalThis.location?.protocol === 'https:' ? '; Secure' : ''
    document.cookie = `${encodeURIComponent(key)}=${encodeURIComponent(value)}; Path=/; SameSite=Strict${secure}; Expires=${expires}`
  }
  return withFallback(
    {
      get: (key) => readCookie(key),
      set: (key, value, expiresAt) => write(key, value, new Date(expiresAt ?? Date.now() + 3_600_000).toUTCString()),
      remove: (key) => write(key, '', new Date(0).toUTCString()),
    },
    'cookie',
    'tokens in a JS-readable cookie are readable by any script on this origin (XSS)',
  )
}
