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
  return {
    get: (key) => readCookie(key),
    set: (key, value, expiresAt) => write(key, value, new Date(expiresAt ?? Date.now() + 3_600_000).toUTCString()),
    remove: (key) => write(key, '', new Date(0).toUTCString()),
  }
}

export function readCookie(name: string): string | null {
  for (const pair of document.cookie.split('; ')) {
    const index = pair.indexOf('=')
    if (decodeURIComponent(pair.slice(0, index)) === name) return decodeURIComponent(pair.slice(index + 1))
  }
  return null
}
