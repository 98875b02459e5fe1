/**
 * A bounded copy of untrusted message data into plain JSON values. Messages arrive by structured
 * clone from the page (via the content script) and from other extension contexts; none of them is
 * trusted to be small, shallow or plain. Strings are cut at a cap, arrays and objects at a count,
 * depth at a limit; the total size is checked as it goes, so a 10 MB message is refused (or its
 * one huge string cut) without first being serialised. Never throws.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

export interface SanitizeLimits {
  maxDepth: number
  /** A token never exceeds 64 KiB (see core/decode.ts MAX_TOKEN_CHARS); longer strings are cut. */
  maxStringChars: number
  maxArrayItems: number
  maxObjectKeys: number
  /** Characters in all strings and keys together, after cutting; beyond it the message is refused. */
  maxTotalChars: number
  /** Values of any kind; bounds work on wide or shared (structured clone keeps cycles) data. */
  maxNodes: number
}

export const DEFAULT_LIMITS: SanitizeLimits = {
  maxDepth: 12,
  maxStringChars: 64 * 1024,
  maxArrayItems: 1000,
  maxObjectKeys: 200,
  maxTotalChars: 2 * 1024 * 1024,
  maxNodes: 100_000,
}

export type SanitizeResult = { ok: true; value: JsonValue; truncated: string[] } | { ok: false; reason: 'too-large' | 'not-plain-data'; detail: string }

class TooLarge extends Error {}

export function sanitizeJson(input: unknown, overrides: Partial<SanitizeLimits> = {}): SanitizeResult {
  const limits = { ...DEFAULT_LIMITS, ...overrides }
  const truncated: string[] = []
  let total = 0
  let nodes = 0
  const ancestors = new Set<object>()
  const note = (path: string) => {
    if (truncated.length < 20) truncated.push(path || '(root)')
  }
  const count = (chars: number) => {
    total += chars
    if (total > limits.maxTotalChars) throw new TooLarge()
  }
  const copy = (value: unknown, path: string, depth: number): JsonValue => {
    if (++nodes > limits.maxNodes) throw new TooLarge()
    if (value === null || typeof value === 'boolean') return value
    if (typeof value === 'number') return Number.isFinite(value) ? value : null
    if (typeof value === 'string') {
      if (value.length > limits.maxStringChars) {
        note(path)
        count(limits.maxStringChars)
        return value.slice(0, limits.maxStringChars)
      }
      count(value.length)
      return value
    }
    if (typeof value !== 'object') {
      note(path)
      return null
    }
    if (depth >= limits.maxDepth || ancestors.has(value)) {
      note(path)
      return null
    }
    ancestors.add(value)
    try {
      return copyContainer(value, path, depth)
    } finally {
      ancestors.delete(value)
    }
  }
  const copyContainer = (value: object, path: string, depth: number): JsonValue => {
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayItems) note(path)
      const out: JsonValue[] = []
      const length = Math.min(value.length, limits.maxArrayItems)
      for (let i = 0; i < length; i++) out.push(copy(value[i], `${path}[${i}]`, depth + 1))
      return out
    }
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      note(path)
      return null
    }
    const out: { [key: string]: JsonValue } = {}
    let keys = 0
    // for…in, not Object.keys: a million-key object is cut without listing every key first.
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue
      if (keys++ >= limits.maxObjectKeys) {
        note(path)
        break
      }
      // An own `__proto__` key would become the copy's prototype on assignment.
      if (key === '__proto__') continue
      count(key.length)
      out[key] = copy((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key, depth + 1)
    }
    return out
  }
  try {
    return { ok: true, value: copy(input, '', 0), truncated }
  } catch (error) {
    if (error instanceof TooLarge) return { ok: false, reason: 'too-large', detail: `over ${limits.maxTotalChars} characters or ${limits.maxNodes} values` }
    return { ok: false, reason: 'not-plain-data', detail: error instanceof Error ? error.message : 'unreadable value' }
  }
}

export function isJsonRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
