import type { Redis } from 'ioredis'

/** Every key under a prefix, by SCAN (never KEYS, which blocks Redis): for counts and clearing, not per request. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000)
    found.push(...keys)
    cursor = next
  } while (cursor !== '0')
  return found
}

export async function countKeys(client: Redis, prefix: string): Promise<number> {
  return (await keysUnder(client, prefix)).length
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}
