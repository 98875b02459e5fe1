/** Where tokens live. Custom adapters implement this (sync or async). */
export interface TokenStorage {
  get(key: string): string | null | Promise<string | null>
  /** `expiresAt` (ms) lets a storage expire the value itself, as cookies do. */
  set(key: string, value: string, expiresAt: number | null): void | Promise<void>
  remove(key: string): void | Promise<void>
}

export type StorageOption = 'memory' | 'localStorage' | 'sessionStorage' | 'cookie' | TokenStorage
