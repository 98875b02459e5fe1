/**
 * `@authlens/sdk/storage`: places to keep tokens other than memory. The Web Storage and cookie ones
 * are readable by any script on the page and emit a one-time `insecure_storage` warning; any of
 * them that fails falls back to memory. An app that never imports them ships none of this.
 */
export { webStorage } from './web-storage.ts'
export { cookieStorage } from './cookie.ts'
export { customStorage } from './fallback.ts'
export { memoryStorage } from './memory.ts'
export type { StorageAdapter, TokenStorage } from './types.ts'
