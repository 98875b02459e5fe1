import type { TokenStorage } from './types.ts'

/**
 * The default: gone with the tab, unreachable from other tabs and from storage-reading XSS. It
 * cannot fail, so it needs none of the fallback the other storages carry.
 */
export const memoryStorage = (): TokenStorage => () => {
  let value: string | null = null
  return {
    kind: 'memory',
    get: async () => value,
    async set(next) {
      value = next
    },
    async remove() {
      value = null
    },
  }
}
