import { roleFromName } from './auth-names.ts'
import { inspectToken, looksLikeCompactJose, type TokenInspection } from './decode.ts'
import { isSessionCookieName } from './session-cookies.ts'
import type { Direction, ExchangeRef, TokenPlace, TokenSighting } from './detect.ts'

/**
 * One identity per token across every place it appears (issued in a body or Set-Cookie, stored,
 * sent in Authorization), and "refresh detected": a newer token in the same lineage (same issuer,
 * subject, audience and role) replacing an older one.
 *
 * The id is a 64-bit non-cryptographic hash (cyrb53's mixing, both lanes kept) of the token's
 * identity key. Why not SHA-256: it must be synchronous and cheap (it runs on every sighting, 10k
 * events in the bench), and it is a display handle, not a security boundary: records are grouped
 * by the exact key string, so a collision can never merge two tokens (the second id gets a suffix).
 * The hash only keeps the raw token out of ids that travel in messages, exports and React keys.
 * The identity key of a JWS is its signing input (`header.payload`): the SDK bridge posts tokens
 * without their signature (S20), and they must join the same token seen on the network.
 */

/** `session`: the value of a session id cookie (see session-cookies.ts). */
export type TokenRole = 'access' | 'id' | 'refresh' | 'session' | 'unknown'

export interface PlaceRecord {
  place: TokenPlace
  direction: Direction
  count: number
  firstSeen: number
  lastSeen: number
  lastExchange?: ExchangeRef
}

export interface TokenRecord {
  id: string
  /** The most complete variant seen: one with a signature is preferred to a stripped one. */
  value: string
  inspection: TokenInspection
  role: TokenRole
  /** `sub:` issuer/subject/audience/role for JWTs with `sub`; `place:` source/key for opaque ones. */
  lineage: string | null
  firstSeen: number
  lastSeen: number
  sightings: number
  places: readonly PlaceRecord[]
  /** A copy without signature was seen outside the SDK bridge (whose stripping is by design). */
  unsignedElsewhere: boolean
  replaces: string | null
  replacedBy: string | null
}

export interface RefreshDetected {
  previousId: string
  tokenId: string
  lineage: string
  at: number
}

export interface RecordOutcome {
  token: TokenRecord
  isNew: boolean
  refresh: RefreshDetected | null
}

export interface TokenRegistry {
  record(sighting: TokenSighting): RecordOutcome
  get(id: string): TokenRecord | undefined
  /** The id a value would have, if that token was seen. */
  idOf(value: string): string | undefined
  /** Least recently seen first. */
  list(): TokenRecord[]
  readonly size: number
  clear(): void
}

export interface RegistryOptions {
  maxTokens?: number
  maxPlacesPerToken?: number
}

export function identityKey(value: string): string {
  if (!looksLikeCompactJose(value)) return value
  const parts = value.split('.')
  return parts.length === 3 ? `${parts[0]}.${parts[1]}` : value
}

export function tokenId(value: string): string {
  return `t${hash64(identityKey(value))}`
}

export function createTokenRegistry({ maxTokens = 500, maxPlacesPerToken = 32 }: RegistryOptions = {}): TokenRegistry {
  const byKey = new Map<string, TokenRecord>()
  const keyById = new Map<string, string>()
  const heads = new Map<string, string>()

  const allocateId = (key: string): string => {
    const base = `t${hash64(key)}`
    let id = base
    for (let n = 2; keyById.has(id) && keyById.get(id) !== key; n++) id = `${base}-${n}`
    keyById.set(id, key)
    return id
  }

  const store = (key: string, record: TokenRecord) => {
    byKey.delete(key)
    byKey.set(key, record)
    while (byKey.size > maxTokens) {
      const [oldestKey, oldest] = byKey.entries().next().value as [string, TokenRecord]
      byKey.delete(oldestKey)
      keyById.delete(oldest.id)
      if (oldest.lineage && heads.get(oldest.lineage) === oldest.id) heads.delete(oldest.lineage)
    }
  }

  const update = (id: string | null, change: (record: TokenRecord) => Partial<TokenRecord>) => {
    const key = id === null ? undefined : keyById.get(id)
    const record = key === undefined ? undefined : byKey.get(key)
    if (key !== undefined && record) byKey.set(key, { ...record, ...change(record) })
  }

  return {
    record(sighting) {
      const key = identityKey(sighting.value)
      const existing = byKey.get(key)
      const unsigned = sighting.value.endsWith('.') && sighting.place.source !== 'sdk-bridge'
      if (existing) {
        const upgrade = existing.value.endsWith('.') && !sighting.value.endsWith('.')
        const token: TokenRecord = {
          ...existing,
          ...(upgrade ? { value: sighting.value, inspection: inspectToken(sighting.value) } : {}),
          lastSeen: Math.max(existing.lastSeen, sighting.at),
          sightings: existing.sightings + 1,
          places: mergePlace(existing.places, sighting, maxPlacesPerToken),
          unsignedElsewhere: existing.unsignedElsewhere || unsigned,
          role: existing.role === 'unknown' ? inferRole(existing.inspection, sighting.place) : existing.role,
        }
        store(key, token)
        return { token, isNew: false, refresh: null }
      }
      const inspection = inspectToken(sighting.value)
      const role = inferRole(inspection, sighting.place)
      const lineage = lineageOf(inspection, role, sighting.place)
      const id = allocateId(key)
      let refresh: RefreshDetected | null = null
      let replaces: string | null = null
      const headId = lineage ? heads.get(lineage) : undefined
      const head = headId === undefined ? undefined : byKey.get(keyById.get(headId) ?? '')
      if (lineage && (!head || isNewer(inspection, head.inspection))) {
        heads.set(lineage, id)
        if (head) {
          replaces = head.id
          refresh = { previousId: head.id, tokenId: id, lineage, at: sighting.at }
          update(head.id, () => ({ replacedBy: id }))
        }
      }
      const token: TokenRecord = {
        id,
        value: sighting.value,
        inspection,
        role,
        lineage,
        firstSeen: sighting.at,
        lastSeen: sighting.at,
        sightings: 1,
        places: mergePlace([], sighting, maxPlacesPerToken),
        unsignedElsewhere: unsigned,
        replaces,
        replacedBy: null,
      }
      store(key, token)
      return { token, isNew: true, refresh }
    },
    get: (id) => byKey.get(keyById.get(id) ?? ''),
    idOf: (value) => byKey.get(identityKey(value))?.id,
    list: () => [...byKey.values()],
    get size() {
      return byKey.size
    },
    clear() {
      byKey.clear()
      keyById.clear()
      heads.clear()
    },
  }
}

function mergePlace(places: readonly PlaceRecord[], sighting: TokenSighting, max: number): PlaceRecord[] {
  const index = places.findIndex((p) => p.place.source === sighting.place.source && p.place.key === sighting.place.key && p.direction === sighting.direction)
  const exchange = sighting.exchange ? { lastExchange: sighting.exchange } : {}
  if (index < 0) {
    const added: PlaceRecord = { place: sighting.place, direction: sighting.direction, count: 1, firstSeen: sighting.at, lastSeen: sighting.at, ...exchange }
    return places.length >= max ? [...places.slice(1), added] : [...places, added]
  }
  return places.map((p, i) => (i === index ? { ...p, count: p.count + 1, lastSeen: Math.max(p.lastSeen, sighting.at), ...exchange } : p))
}

const COOKIE_SOURCES: ReadonlySet<TokenPlace['source']> = new Set(['cookie-jar', 'set-cookie', 'cookie-header'])

function inferRole(inspection: TokenInspection, place: TokenPlace): TokenRole {
  if (inspection.kind === 'jws') {
    const { header, claims } = inspection
    const typ = String(header['typ'] ?? '').toLowerCase()
    const use = String(claims['token_use'] ?? claims['typ'] ?? '').toLowerCase()
    if (typ === 'at+jwt' || typ === 'application/at+jwt' || use === 'access' || use === 'bearer') return 'access'
    if (use === 'refresh') return 'refresh'
    if (use === 'id' || 'nonce' in claims || 'at_hash' in claims) return 'id'
  }
  if (place.source === 'authorization-header') return 'access'
  if (COOKIE_SOURCES.has(place.source) && inspection.kind !== 'jws' && isSessionCookieName(place.key)) return 'session'
  const leaf = place.key.split(/[.[\]]/).filter(Boolean).pop() ?? place.key
  return roleFromName(leaf) ?? 'unknown'
}

function lineageOf(inspection: TokenInspection, role: TokenRole, place: TokenPlace): string | null {
  if (inspection.kind === 'jws') {
    const { iss, sub, aud } = inspection.claims
    if (typeof sub !== 'string') return null
    const audience = Array.isArray(aud) ? aud.map(String).sort().join(' ') : typeof aud === 'string' ? aud : ''
    // An unknown-role JWT with a subject is almost always the access token: same lineage class.
    const kind = role === 'id' || role === 'refresh' ? role : 'access'
    return `sub:${typeof iss === 'string' ? iss : ''}\u0000${sub}\u0000${audience}\u0000${kind}`
  }
  // Opaque tokens carry no subject; a new value at the same stored place is a rotation.
  const stored = place.source === 'cookie-jar' || place.source === 'set-cookie' || place.source === 'local-storage' || place.source === 'session-storage'
  return (inspection.kind === 'opaque' || role === 'session') && stored ? `place:${place.source === 'set-cookie' ? 'cookie-jar' : place.source}\u0000${place.key}` : null
}

/** Same second or later `iat` (or, lacking `iat`, simply seen later, which it is). */
function isNewer(candidate: TokenInspection, head: TokenInspection): boolean {
  if (candidate.kind !== 'jws' || head.kind !== 'jws') return true
  const a = candidate.claims['iat']
  const b = head.claims['iat']
  return typeof a !== 'number' || typeof b !== 'number' || a >= b
}

function hash64(text: string): string {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0')
}
