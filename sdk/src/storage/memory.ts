import type { TokenStorage } from './types.ts'

/** The default: gone with the tab, unreachable from other tabs and from storage-reading XSS. */
export function memoryStorage(): TokenStorage {
  const values = new Map<string, string>()
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  }
}
