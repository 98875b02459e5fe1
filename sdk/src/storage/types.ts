import type { Emitter, StorageKind } from '../events.ts'

/** What the JWT strategy holds its tokens in: one value under one key, that never throws. */
export interface HeldTokens {
  readonly kind: StorageKind
  get(): Promise<string | null>
  /** `expiresAt` (ms) lets a storage expire the value itself, as cookies do. */
  set(value: string, expiresAt: number | null): Promise<void>
  remove(): Promise<void>
}

/**
 * Where tokens live, as a value the app imports: `memoryStorage()` (the default), or `webStorage()`,
 * `cookieStorage()`, `customStorage(adapter)` from `@authlens/sdk/storage`.
 */
export type TokenStorage = (key: string, events: Emitter) => HeldTokens

/** A place of your own for `customStorage`: sync or async, and it may throw. */
export interface StorageAdapter {
  get(key: string): string | null | Promise<string | null>
  set(key: string, value: string, expiresAt: number | null): void | Promise<void>
  remove(key: string): void | Promise<void>
}
