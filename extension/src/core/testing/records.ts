import type { Direction, ExchangeRef, TokenSource } from '../detect.ts'
import { createTokenRegistry, type TokenRecord } from '../identity.ts'
import type { CookieRecord } from '../cookies.ts'

/** Test-only: token records built the way the inspector builds them, through a registry. */
export interface SightingSpec {
  value: string
  source: TokenSource
  key?: string
  direction?: Direction
  at?: number
  exchange?: ExchangeRef
}

export function tokenRecords(...specs: SightingSpec[]): TokenRecord[] {
  const registry = createTokenRegistry()
  for (const spec of specs) {
    registry.record({
      value: spec.value,
      place: { source: spec.source, key: spec.key ?? spec.source },
      direction: spec.direction ?? (spec.source === 'authorization-header' ? 'sent' : 'stored'),
      at: spec.at ?? 0,
      ...(spec.exchange ? { exchange: spec.exchange } : {}),
    })
  }
  return registry.list()
}

export function cookie(partial: Partial<CookieRecord> & { name: string }): CookieRecord {
  return { value: 'v'.repeat(32), domain: 'app.example.com', path: '/', secure: true, httpOnly: true, sameSite: 'lax', session: true, ...partial }
}
