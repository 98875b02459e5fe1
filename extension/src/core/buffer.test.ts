import { describe, expect, it } from 'vitest'
import { DEFAULT_BUFFER_CAPACITY, createCappedBuffer } from './buffer.ts'

describe('createCappedBuffer', () => {
  it('E11 10,000 events stay bounded: the newest 1,000 are kept, the rest counted as dropped', () => {
    const buffer = createCappedBuffer<{ n: number; payload: string }>()
    for (let n = 0; n < 10_000; n++) buffer.push({ n, payload: 'x'.repeat(100) })
    expect(buffer.capacity).toBe(DEFAULT_BUFFER_CAPACITY)
    expect(buffer.size).toBe(1000)
    expect(buffer.dropped).toBe(9000)
    const items = buffer.toArray()
    expect(items).toHaveLength(1000)
    expect(items[0]?.n).toBe(9000)
    expect(items[999]?.n).toBe(9999)
  })

  it('E11 the dedupe key set is bounded with the buffer (evicted keys are forgotten)', () => {
    const buffer = createCappedBuffer<string>(3, (s) => s)
    for (const s of ['a', 'b', 'c', 'd']) buffer.push(s)
    expect(buffer.toArray()).toEqual(['b', 'c', 'd'])
    expect(buffer.push('a')).toBe(true)
    expect(buffer.toArray()).toEqual(['c', 'd', 'a'])
  })

  it('E12 refuses an entry it already holds (re-announced state after a worker restart)', () => {
    const buffer = createCappedBuffer<{ id: string }>(10, (e) => e.id)
    expect(buffer.push({ id: 'm-1' })).toBe(true)
    expect(buffer.push({ id: 'm-1' })).toBe(false)
    expect(buffer.push({ id: 'm-2' })).toBe(true)
    expect(buffer.size).toBe(2)
  })

  it('keeps order below capacity, clears, and rejects a nonsense capacity', () => {
    const buffer = createCappedBuffer<number>(5)
    buffer.push(1)
    buffer.push(2)
    expect(buffer.toArray()).toEqual([1, 2])
    expect(buffer.dropped).toBe(0)
    buffer.clear()
    expect(buffer.toArray()).toEqual([])
    expect(() => createCappedBuffer(0)).toThrow(RangeError)
  })

  it('merges a second report into the entry it held; the alias key is refused later and forgotten with the entry', () => {
    const buffer = createCappedBuffer<{ id: string; from: string[] }>(2, (e) => e.id)
    buffer.push({ id: 'login@sdk', from: ['sdk'] })
    expect(buffer.findLast((e): e is { id: string; from: string[] } => e.from.includes('sdk'))?.id).toBe('login@sdk')
    expect(buffer.merge('login@sdk', 'login@network', { id: 'login@sdk', from: ['sdk', 'network'] })).toBe(true)
    expect(buffer.toArray()).toEqual([{ id: 'login@sdk', from: ['sdk', 'network'] }])
    expect(buffer.has('login@network')).toBe(true)
    expect(buffer.push({ id: 'login@network', from: ['network'] })).toBe(false)
    expect(buffer.merge('nothing', 'x', { id: 'nothing', from: [] })).toBe(false)
    buffer.push({ id: 'b', from: [] })
    buffer.push({ id: 'c', from: [] })
    expect(buffer.has('login@sdk')).toBe(false)
    expect(buffer.has('login@network')).toBe(false)
  })

  it('replaces an entry in place under its key; an unknown key changes nothing', () => {
    const buffer = createCappedBuffer<{ id: string; note?: string }>(3, (e) => e.id)
    for (const id of ['a', 'b', 'c']) buffer.push({ id, note: 'old' })
    expect(buffer.replace('b', { id: 'b' })).toBe(true)
    expect(buffer.toArray()).toEqual([{ id: 'a', note: 'old' }, { id: 'b' }, { id: 'c', note: 'old' }])
    expect(buffer.replace('z', { id: 'z' })).toBe(false)
    expect(buffer.size).toBe(3)
  })
})
