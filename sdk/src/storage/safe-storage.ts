import type { Emitter, StorageKind } from '../events.ts'
import { cookieStorage } from './cookie.ts'
import { memoryStorage } from './memory.ts'
import type { StorageOption, TokenStorage } from './types.ts'
import { webStorage } from './web-storage.ts'

const WARNINGS: Partial<Record<StorageKind, string>> = {
  localStorage: 'tokens in localStorage are readable by any script on this origin (XSS) and outlive the tab',
  sessionStorage: 'tokens in sessionStorage are readable by any script in this tab (XSS)',
  cookie: 'tokens in a JS-readable cookie are readable by any script on this origin (XSS)',
}

export interface SafeStorage {
  readonly kind: StorageKind
  get(): Promise<string | null>
  set(value: string, expiresAt: number | null): Promise<void>
  remove(): Promise<void>
}

/**
 * Storage that never throws: the first failure (private mode, quota, disabled storage, S12,
 * S23) moves the value to memory for the rest of the page's life, with a `storage-fallback` event.
 */
export function createSafeStorage(option: StorageOption, key: string, events: Emitter): SafeStorage {
  let kind: StorageKind = typeof option === 'string' ? option : 'custom'
  let storage: TokenStorage =
    option === 'memory'
      ? memoryStorage()
      : option === 'cookie'
        ? cookieStorage()
        : option === 'localStorage' || option === 'sessionStorage'
          ? webStorage(option)
          : option
  let warned = false

  const guard = async <T>(operation: () => T | Promise<T>, value?: string, expiresAt?: number | null): Promise<T | null> => {
    try {
      return await operation()
    } catch (error) {
      if (kind === 'memory') throw error
      events.emit('storage-fallback', { from: kind, reason: error instanceof Error ? error.name : 'unavailable' })
      kind = 'memory'
      storage = memoryStorage()
      if (value !== undefined) storage.set(key, value, expiresAt ?? null)
      return null
    }
  }

  return {
    get kind() {
      return kind
    },
    get: () => guard(() => storage.get(key)),
    async set(value, expiresAt) {
      if (!warned && WARNINGS[kind]) {
        warned = true
        events.emit('warning', { code: 'insecure_storage', message: WARNINGS[kind]! })
      }
      await guard(() => storage.set(key, value, expiresAt), value, expiresAt)
    },
    remove: () => guard(() => storage.remove(key)).then(() => undefined),
  }
}
