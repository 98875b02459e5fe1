import { describe, expect, it } from 'vitest'
import { medianMs } from '../core/testing/tokens.ts'
import { sanitizeJson } from './sanitize.ts'

describe('sanitizeJson', () => {
  it('E4 copies plain data unchanged, strings stay strings (hostile markup is data, never parsed)', () => {
    const input = { a: 1, b: 'x', c: [true, null, { d: '<img src=x onerror=alert(1)>' }] }
    expect(sanitizeJson(input)).toEqual({ ok: true, value: input, truncated: [] })
  })

  it('E4 a 10 MB string is cut to the cap and reported, quickly', () => {
    const huge = 'A'.repeat(10 * 1024 * 1024)
    const result = sanitizeJson({ value: huge })
    expect(result.ok && result.truncated).toEqual(['value'])
    expect(result.ok && (result.value as { value: string }).value.length).toBe(64 * 1024)
    expect(medianMs(() => sanitizeJson({ value: huge }))).toBeLessThan(100)
  })

  it('E4 10 MB spread over many strings is refused as too large, quickly', () => {
    const many = Array.from({ length: 200 }, () => 'B'.repeat(50 * 1024))
    expect(sanitizeJson({ entries: many })).toMatchObject({ ok: false, reason: 'too-large' })
    expect(medianMs(() => sanitizeJson({ entries: many }))).toBeLessThan(100)
  })

  it('E4 deep, wide and cyclic data is bounded; functions, class instances and __proto__ keys are dropped', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 10_000; i++) deep = [deep]
    const deepResult = sanitizeJson(deep)
    expect(deepResult.ok && deepResult.truncated.length).toBe(1)
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic['self'] = cyclic
    expect(sanitizeJson(cyclic)).toMatchObject({ ok: true, value: { name: 'loop', self: null } })
    const shared: unknown[] = []
    for (let i = 0; i < 1000; i++) shared.push(shared)
    expect(sanitizeJson([shared, shared]).ok).toBe(true)
    const row: number[] = new Array(1000).fill(1)
    const wide = Array.from({ length: 200 }, () => new Array(1000).fill(row))
    expect(sanitizeJson(wide)).toMatchObject({ ok: false, reason: 'too-large' })
    const odd = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as object
    const result = sanitizeJson({ fn: () => 1, date: new Date(0), map: new Map(), sym: Symbol('s'), big: 10n, nan: Number.NaN, odd })
    expect(result).toMatchObject({ ok: true, value: { fn: null, date: null, map: null, sym: null, big: null, nan: null, odd: { ok: 1 } } })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.getPrototypeOf(result.ok && (result.value as { odd: object }).odd)).toBe(Object.prototype)
  })
})
