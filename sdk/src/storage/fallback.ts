import type { StorageKind } from '../events.ts'
import { memoryStorage } from './memory.ts'
import type { HeldTokens, StorageAdapter, TokenStorage } from './types.ts'

/**
 * An adapter made safe: the first failure (private mode, quota, disabled storage, S12, S23) moves
 * the value to memory for the rest of the page's life, with a `storage-fallback` event; the first
 * write of a risky place emits its `insecure_storage` warning (S22).
 */
export const withFallback =
  (adapter: StorageAdapter, from: StorageKind, warning?: string): TokenStorage =>
  (key, events) => {
    let fallback: HeldTokens | undefined

    const guard = async <T>(operation: () => T | Promise<T>, value?: string, expiresAt?: number | null): Promise<T | null> => {
      try {
        return await operation()
      } catch (error) {
        events.emit('storage-fallback', { from, reason: error instanceof Error ? error.name : 'unavailable' })
        fallback = memoryStorage()(key, events)
        if (value !== undefined) await fallback.set(value, expiresAt ?? null)
        return null
      }
    }

    return {
      get kind() {
        return fallback ? 'memory' : from
      },
      get: () => fallback?.get() ?? guard(() => adapter.get(key)),
      async set(value, expiresAt) {
        if (warning) {
          events.emit('warning', { code: 'insecure_storage', message: warning })
          warning = undefined
        }
        await (fallback?.set(value, expiresAt) ?? guard(() => adapter.set(key, value, expiresAt), value, expiresAt))
      },
      remove: async () => void (await (fallback?.remove() ?? guard(() => adapter.remove(key)))),
    }
  }

/** A place of your own (an encrypted store, a native bridge); failures fall back to memory. */
export const customStorage = (adapter: StorageAdapter): TokenStorage => withFallback(adapter, 'custom')
