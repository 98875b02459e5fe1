import type { StorageArea } from '../core/observations.ts'

/**
 * What the content script sends about Web Storage. Pages keep megabytes there (caches, persisted
 * stores); only the values worth inspecting travel, within a budget, and every key is still listed
 * with its size so the panel can say what it skipped.
 */

export interface StorageEntry {
  area: StorageArea
  key: string
  /** null when the value was too large to send or over the snapshot budget. */
  value: string | null
  /** Characters in the original value. */
  size: number
}

export const MAX_STORAGE_VALUE_CHARS = 64 * 1024
export const MAX_STORAGE_KEY_CHARS = 1024
export const MAX_STORAGE_ENTRIES = 500
export const STORAGE_SNAPSHOT_BUDGET = 1024 * 1024

/** Entries in the order given; values past the per-value cap or the total budget become null. */
export function prepareStorageEntries(area: StorageArea, pairs: Iterable<readonly [string, string]>): StorageEntry[] {
  const entries: StorageEntry[] = []
  let budget = STORAGE_SNAPSHOT_BUDGET
  for (const [key, value] of pairs) {
    if (entries.length >= MAX_STORAGE_ENTRIES) break
    if (key.length > MAX_STORAGE_KEY_CHARS) continue
    const fits = value.length <= MAX_STORAGE_VALUE_CHARS && value.length <= budget
    if (fits) budget -= value.length
    entries.push({ area, key, value: fits ? value : null, size: value.length })
  }
  return entries
}
