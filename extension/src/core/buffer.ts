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
  const keys = new Set<string>()
  let start = 0
  let size = 0
  let dropped = 0
  return {
    push(item) {
      const key = keyOf?.(item)
      if (key !== undefined && keys.has(key)) return false
      if (size === capacity) {
        const oldest = slots[start] as T
        if (keyOf) keys.delete(keyOf(oldest))
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
      start = 0
      size = 0
      dropped = 0
    },
  }
}
