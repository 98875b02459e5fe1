import type { StorageArea } from '../core/observations.ts'
import { STORAGE_SNAPSHOT_BUDGET, prepareStorageEntries, type StorageEntry } from '../protocol/storage-snapshot.ts'

/**
 * Web Storage as the content script sees it. A page's own writes fire no `storage` event in that
 * page (only in other tabs), and patching `Storage.prototype.setItem` would have to happen in the
 * page's JavaScript world (E18 forbids injecting anything there), so changes are found by polling
 * and comparing; the `storage` event only makes other tabs' writes show sooner.
 */

export const AREAS: readonly StorageArea[] = ['localStorage', 'sessionStorage']

export interface StorageChange {
  entry: StorageEntry
  removed: boolean
}

export type StorageReader = (area: StorageArea) => Storage | null

/** Reading `window.localStorage` throws in sandboxed and opaque-origin documents: none, then. */
export const pageStorage =
  (target: Window): StorageReader =>
  (area) => {
    try {
      return target[area]
    } catch {
      return null
    }
  }

export function readArea(area: StorageArea, storage: Storage | null): StorageEntry[] {
  if (!storage) return []
  const pairs: Array<[string, string]> = []
  try {
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i)
      if (key === null) continue
      pairs.push([key, storage.getItem(key) ?? ''])
    }
  } catch {
    return []
  }
  return prepareStorageEntries(area, pairs)
}

/** Each area is budgeted alone; one message carries both, so the budget is applied again across them. */
export function withinBudget(entries: StorageEntry[], budget = STORAGE_SNAPSHOT_BUDGET): StorageEntry[] {
  let left = budget
  return entries.map((entry) => {
    if (entry.value === null) return entry
    if (entry.value.length > left) return { ...entry, value: null }
    left -= entry.value.length
    return entry
  })
}

const entryId = (entry: Pick<StorageEntry, 'area' | 'key'>) => `${entry.area}\u0000${entry.key}`

/** Changes from `before` to `after`: new or different values, then removals. */
export function diffStorage(before: readonly StorageEntry[], after: readonly StorageEntry[]): StorageChange[] {
  const previous = new Map(before.map((e) => [entryId(e), e]))
  const changes: StorageChange[] = []
  for (const entry of after) {
    const old = previous.get(entryId(entry))
    previous.delete(entryId(entry))
    if (!old || old.value !== entry.value || old.size !== entry.size) changes.push({ entry, removed: false })
  }
  for (const gone of previous.values()) changes.push({ entry: { ...gone, value: null }, removed: true })
  return changes
}

export interface StorageWatcher {
  /** Reads every area now, as the baseline for later changes. */
  snapshot(): StorageEntry[]
  /** Compares with the last read; returns what changed. */
  poll(): StorageChange[]
}

export function createStorageWatcher(read: StorageReader): StorageWatcher {
  let last: StorageEntry[] = []
  const readAll = () => withinBudget(AREAS.flatMap((area) => readArea(area, read(area))))
  return {
    snapshot() {
      last = readAll()
      return last
    },
    poll() {
      const next = readAll()
      const changes = diffStorage(last, next)
      last = next
      return changes
    },
  }
}
