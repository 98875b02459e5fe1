import { describe, expect, it } from 'vitest'
import type { StorageArea } from '../core/observations.ts'
import { createStorageWatcher, diffStorage, readArea, withinBudget } from './storage-watch.ts'

/** The part of the Storage interface the watcher uses. */
function memoryStorage(entries: Record<string, string> = {}): Storage {
  const map = new Map(Object.entries(entries))
  return {
    get length() {
      return map.size
    },
    key: (i: number) => [...map.keys()][i] ?? null,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    clear: () => map.clear(),
  }
}

describe('storage watch', () => {
  it('reads an area; storage that throws (sandboxed, opaque origin) reads as empty', () => {
    expect(readArea('localStorage', memoryStorage({ a: '1' }))).toEqual([{ area: 'localStorage', key: 'a', value: '1', size: 1 }])
    const throwing = { get length(): number { throw new DOMException('denied', 'SecurityError') } } as unknown as Storage
    expect(readArea('localStorage', throwing)).toEqual([])
    expect(readArea('sessionStorage', null)).toEqual([])
  })

  it('finds the page’s own writes by polling: added, changed (same length too), removed', () => {
    const local = memoryStorage({ token: 'aaaa', keep: 'x' })
    const areas: Record<StorageArea, Storage> = { localStorage: local, sessionStorage: memoryStorage() }
    const watcher = createStorageWatcher((area) => areas[area])
    expect(watcher.snapshot()).toHaveLength(2)
    expect(watcher.poll()).toEqual([])
    local.setItem('token', 'bbbb')
    local.setItem('fresh', 'y')
    local.removeItem('keep')
    expect(watcher.poll()).toEqual([
      { entry: { area: 'localStorage', key: 'token', value: 'bbbb', size: 4 }, removed: false },
      { entry: { area: 'localStorage', key: 'fresh', value: 'y', size: 1 }, removed: false },
      { entry: { area: 'localStorage', key: 'keep', value: null, size: 1 }, removed: true },
    ])
  })

  it('applies the snapshot budget across both areas, keeping every key with its size', () => {
    const big = { area: 'localStorage' as const, key: 'big', value: 'x'.repeat(800), size: 800 }
    const other = { area: 'sessionStorage' as const, key: 'other', value: 'y'.repeat(300), size: 300 }
    expect(withinBudget([big, other], 1000)).toEqual([big, { ...other, value: null }])
  })

  it('treats the same key in two areas as two entries', () => {
    const a = { area: 'localStorage' as const, key: 'k', value: '1', size: 1 }
    const b = { area: 'sessionStorage' as const, key: 'k', value: '1', size: 1 }
    expect(diffStorage([a], [a, b])).toEqual([{ entry: b, removed: false }])
  })
})
