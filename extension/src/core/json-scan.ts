/**
 * One iterative pass over JSON text, before `JSON.parse`: how deep it nests (so a 10k-deep value
 * is refused without recursion anywhere) and which object keys repeat. `JSON.parse` keeps the last
 * duplicate silently; RFC 7515 §5.2 and RFC 7519 §4 make that a parser differential worth showing.
 */

export interface JsonScan {
  /** Deepest nesting reached, counting objects and arrays; stops counting at `maxDepth + 1`. */
  depth: number
  tooDeep: boolean
  /** Repeated keys (decoded), at most 10. */
  duplicateKeys: string[]
}

interface Frame {
  keys: Set<string> | null
  expectKey: boolean
}

const MAX_REPORTED_DUPLICATES = 10

export function scanJson(text: string, maxDepth: number): JsonScan {
  const stack: Frame[] = []
  const duplicateKeys: string[] = []
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (char === 0x22 /* " */) {
      const start = i
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c === 0x5c /* \ */) i++
        else if (c === 0x22) break
      }
      const top = stack[stack.length - 1]
      if (top?.keys && top.expectKey) {
        const key = decodeKey(text.slice(start, i + 1))
        if (top.keys.has(key)) {
          if (duplicateKeys.length < MAX_REPORTED_DUPLICATES && !duplicateKeys.includes(key)) duplicateKeys.push(key)
        } else top.keys.add(key)
        top.expectKey = false
      }
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      stack.push({ keys: char === 0x7b ? new Set() : null, expectKey: char === 0x7b })
      if (stack.length > depth) depth = stack.length
      if (depth > maxDepth) return { depth, tooDeep: true, duplicateKeys }
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      stack.pop()
    } else if (char === 0x2c /* , */) {
      const top = stack[stack.length - 1]
      if (top?.keys) top.expectKey = true
    }
  }
  return { depth, tooDeep: false, duplicateKeys }
}

function decodeKey(quoted: string): string {
  if (!quoted.includes('\\')) return quoted.slice(1, -1)
  try {
    const decoded: unknown = JSON.parse(quoted)
    return typeof decoded === 'string' ? decoded : quoted
  } catch {
    return quoted
  }
}
