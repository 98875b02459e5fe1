/**
 * A capped ring buffer: pushing past capacity drops the oldest entry and counts it, so memory stays
 * bounded however long a page stays open (DataDog's browser extension keeps 1,000 events, Redux
 * DevTools 50 actions). With `keyOf`, an entry already held is not added twice: re-announced state
 * after a service worker restart does not duplicate the timeline (E12).
 */

export const DEFAULT_BUFFER_CAPACITY = 1000

export interface CappedBuffer<T> {
  /** False when `keyOf` says the entry is already held. */
  push(item: T): boolean
  /** Whether an entry with this key is held. */
  has(key: string): boolean
  /** The newest entry matching `predicate`, with its key. */
  findLast<S extends T>(predicate: (item: T) => item is S): S | undefined
  /** Replaces the entry held under `key` with `item` in place; `item` must have the same key. */
  replace(key: string, item: T): boolean
  /**
   * Replaces the entry held under `key` with `item` in place, and holds `alias` as a second key for
   * it: a report of the same event from another source, re-announced later, is then known too.
   */
  merge(key: string, alias: string, item: T): boolean
  /** Oldest first. */
  toArray(): T[]
  readonly size: number
  readonly capacity: number
  /** How many entries were dropped to stay under capacity since the last `clear`. */
  readonly dropped: number
  clear(): void
}

export function createCappedBuffer<T>(capacity = DEFAULT_BUFFER_CAPACITY, keyOf?: (item: T) => string): CappedBuffer<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
  const slots: Array<T | undefined> = new Array(capacity)
  /** Every key held, aliases included; aliases by the key of the entry they stand for. */
  const keys = new Set<string>()
  const aliases = new Map<string, string[]>()
  let start = 0
  let size = 0
  let dropped = 0
  const dropKey = (key: string) => {
    keys.delete(key)
    for (const alias of aliases.get(key) ?? []) keys.delete(alias)
    aliases.delete(key)
  }
  const replace = (key: string, item: T) => {
    if (!keyOf || !keys.has(key)) return false
    for (let i = 0; i < size; i++) {
      const slot = (start + i) % capacity
      if (keyOf(slots[slot] as T) !== key) continue
      slots[slot] = item
      return true
    }
    return false
  }
  return {
    push(item) {
      const key = keyOf?.(item)
      if (key !== undefined && keys.has(key)) return false
      if (size === capacity) {
        const oldest = slots[start] as T
        if (keyOf) dropKey(keyOf(oldest))
        slots[start] = item
        start = (start + 1) % capacity
        dropped++
      } else {
        slots[(start + size) % capacity] = item
        size++
      }
      if (key !== undefined) keys.add(key)
      return true
    },
    has: (key) => keys.has(key),
    findLast<S extends T>(predicate: (item: T) => item is S) {
      for (let i = size - 1; i >= 0; i--) {
        const item = slots[(start + i) % capacity] as T
        if (predicate(item)) return item
      }
      return undefined
    },
    replace,
    merge(key, alias, item) {
      if (!replace(key, item)) return false
      keys.add(alias)
      aliases.set(key, [...(aliases.get(key) ?? []), alias])
      return true
    },
    toArray() {
      const out: T[] = []
      for (let i = 0; i < size; i++) out.push(slots[(start + i) % capacity] as T)
      return out
    },
    get size() {
      return size
    },
    capacity,
    get dropped() {
      return dropped
    },
    clear() {
      slots.fill(undefined)
      keys.clear()
      aliases.clear()
      start = 0
      size = 0
      dropped = 0
    },
  }
}
