import { AuthError } from '../errors.ts'
import { openRecords, settled } from '../storage/indexed-db.ts'

/** The coordination record, read and written only while holding the refresh lock. */
export interface CrossTabRecord {
  generation: number
  /** Serialized tokens, for persistent storages only: memory mode never writes a secret here. */
  tokens?: string
  signedOut?: boolean
}

export type CrossTabMessage =
  | { type: 'tokens'; generation: number; tokens: string; login?: boolean }
  | { type: 'logout'; generation: number }
  | { type: 'hello' }

/**
 * Tabs of one origin share one refresh: a Web Lock serializes them, and the winner's result is
 * read inside the lock from IndexedDB, which is consistent across renderer processes.
 * localStorage is not (TOOLCHAIN.md: a tab could still see the token the previous holder had
 * just rotated, refresh with it, and be signed out by reuse detection). New tokens and logouts
 * travel over BroadcastChannel.
 */
export function createCrossTab(name: string, lockTimeoutMs: number, onLockTimeout: () => void) {
  const channel = new BroadcastChannel(`authlens:${name}`)
  let database: Promise<IDBDatabase> | undefined

  const records = async (mode: IDBTransactionMode) => {
    database ??= openRecords()
    return (await database).transaction('records', mode).objectStore('records')
  }

  return {
    /**
     * Runs `task` holding the lock. A tab that holds it too long (hung, frozen) cannot block the
     * others for ever (supabase-js #936): after `lockTimeoutMs` they go ahead without it.
     */
    async withLock<T>(task: () => Promise<T>): Promise<T> {
      // Only a wait that timed out falls back: never a task that failed, whatever its error's name.
      let started = false
      const run = () => {
        started = true
        return task()
      }
      const request = (lock: string) => navigator.locks.request(lock, { signal: AbortSignal.timeout(lockTimeoutMs) }, run) as Promise<T>
      const timedOut = (error: unknown) => !started && ((error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError')
      try {
        return await request(`authlens:${name}`)
      } catch (error) {
        if (!timedOut(error)) throw error
        onLockTimeout()
      }
      // The tabs that gave up on a stuck holder still take turns: they time out together, and two
      // refreshes with one refresh token are reuse, which signs every tab out (seen in Chromium
      // with five tabs, S8). They queue on a second lock that only they take, bounded as well.
      try {
        return await request(`authlens:${name}:fallback`)
      } catch (error) {
        if (!timedOut(error)) throw error
        return run()
      }
    },
    read: (): Promise<CrossTabRecord | undefined> => records('readonly').then((store) => settled(store.get(name))).catch(() => undefined),
    write: (record: CrossTabRecord) =>
      records('readwrite')
        .then((store) => settled(store.put(record, name)))
        .then(
          () => undefined,
          () => {
            throw new AuthError('storage_unavailable')
          },
        ),
    post: (message: CrossTabMessage) => channel.postMessage(message),
    listen(handler: (message: CrossTabMessage) => void) {
      channel.onmessage = (event: MessageEvent<CrossTabMessage>) => handler(event.data)
    },
    close() {
      channel.close()
      void database?.then((db) => db.close())
    },
  }
}

export type CrossTab = ReturnType<typeof createCrossTab>

/** Cross-tab coordination needs all three; without them (Node, old browsers) each tab is alone. */
export const crossTabSupported = (): boolean => !!(globalThis.BroadcastChannel && globalThis.indexedDB && globalThis.navigator?.locks)
