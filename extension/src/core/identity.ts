import { roleFromName } from './auth-names.ts'
import { hash64 } from './hash.ts'
import { inspectToken, looksLikeCompactJose, type JsonObject, type TokenInspection } from './decode.ts'
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

/**
 * What the role was read from, strongest first: the JWT's `typ` header (RFC 9068 §2.1), an OAuth
 * parameter or field that names it (`id_token`, `access_token`, `refresh_token`, `id_token_hint`),
 * its claims (`nonce`, `at_hash`, `azp`, `token_use`), the `Authorization` header it was sent in,
 * a session cookie name, any other name. A later sighting with a stronger basis corrects the role:
 * an ID token first seen as a bearer credential is still an ID token once its `id_token` field is seen.
 */
export type RoleBasis = 'jwt-typ' | 'oauth-field' | 'jwt-claims' | 'bearer-header' | 'session-cookie' | 'name' | 'none'

const BASIS_STRENGTH: Record<RoleBasis, number> = { 'jwt-typ': 6, 'oauth-field': 5, 'jwt-claims': 4, 'bearer-header': 3, 'session-cookie': 2, name: 1, none: 0 }

export interface RoleInference {
  role: TokenRole
  basis: RoleBasis
  /** The header value, parameter or claim it was read from. */
  hint: string | null
}

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
  roleBasis: RoleBasis
  roleHint: string | null
  /** `expires_in` of the token response that issued it (RFC 6749 §5.1): an opaque token's only expiry. */
  expiresIn: { seconds: number; issuedAt: number } | null
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
  /** Notes the `expires_in` a token response gave for a token already recorded. */
  noteExpiresIn(value: string, seconds: number, issuedAt: number): void
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
        const inferred = inferRole(existing.inspection, sighting.place)
        const stronger = BASIS_STRENGTH[inferred.basis] > BASIS_STRENGTH[existing.roleBasis]
        const token: TokenRecord = {
          ...existing,
          ...(upgrade ? { value: sighting.value, inspection: inspectToken(sighting.value) } : {}),
          lastSeen: Math.max(existing.lastSeen, sighting.at),
          sightings: existing.sightings + 1,
          places: mergePlace(existing.places, sighting, maxPlacesPerToken),
          unsignedElsewhere: existing.unsignedElsewhere || unsigned,
          ...(stronger ? { role: inferred.role, roleBasis: inferred.basis, roleHint: inferred.hint } : {}),
        }
        store(key, token)
        return { token, isNew: false, refresh: null }
      }
      const inspection = inspectToken(sighting.value)
      const { role, basis, hint } = inferRole(inspection, sighting.place)
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
        roleBasis: basis,
        roleHint: hint,
        expiresIn: null,
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
    noteExpiresIn(value, seconds, issuedAt) {
      update(byKey.get(identityKey(value))?.id ?? null, () => ({ expiresIn: { seconds, issuedAt } }))
    },
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

/** OAuth 2.0 / OIDC names for exactly one kind of token (RFC 6749 §5.1, OIDC Core §3.1.3.3, RP-Initiated Logout §2). */
const OAUTH_FIELDS: Readonly<Record<string, TokenRole>> = { access_token: 'access', id_token: 'id', refresh_token: 'refresh', id_token_hint: 'id' }

function inferRole(inspection: TokenInspection, place: TokenPlace): RoleInference {
  const leaf = place.key.split(/[.[\]]/).filter(Boolean).pop() ?? place.key
  if (inspection.kind === 'jws') {
    const typ = String(inspection.header['typ'] ?? '').toLowerCase()
    if (typ === 'at+jwt' || typ === 'application/at+jwt') return { role: 'access', basis: 'jwt-typ', hint: typ }
  }
  const field = OAUTH_FIELDS[leaf]
  if (field) return { role: field, basis: 'oauth-field', hint: leaf }
  if (inspection.kind === 'jws') {
    const fromClaims = roleFromClaims(inspection.claims)
    if (fromClaims) return fromClaims
  }
  if (place.source === 'authorization-header') return { role: 'access', basis: 'bearer-header', hint: null }
  if (COOKIE_SOURCES.has(place.source) && inspection.kind !== 'jws' && isSessionCookieName(place.key)) return { role: 'session', basis: 'session-cookie', hint: place.key }
  const named = roleFromName(leaf)
  return named ? { role: named, basis: 'name', hint: leaf } : { role: 'unknown', basis: 'none', hint: null }
}

/**
 * Cognito's `token_use`, Keycloak's `typ` claim; `nonce`, `at_hash` and `c_hash` exist only in ID
 * tokens (OIDC Core §2, §3.3.2.11); `azp` equal to the only audience is the client the ID token was
 * issued to (OIDC Core §2), where an access token's audience is the API.
 */
function roleFromClaims(claims: JsonObject): RoleInference | null {
  const use = String(claims['token_use'] ?? claims['typ'] ?? '').toLowerCase()
  const useHint = 'token_use' in claims ? 'token_use' : 'typ'
  if (use === 'access' || use === 'bearer') return { role: 'access', basis: 'jwt-claims', hint: useHint }
  if (use === 'refresh') return { role: 'refresh', basis: 'jwt-claims', hint: useHint }
  if (use === 'id') return { role: 'id', basis: 'jwt-claims', hint: useHint }
  const idClaim = ['nonce', 'at_hash', 'c_hash'].find((name) => name in claims)
  if (idClaim) return { role: 'id', basis: 'jwt-claims', hint: idClaim }
  const aud = Array.isArray(claims['aud']) && claims['aud'].length === 1 ? claims['aud'][0] : claims['aud']
  if (typeof claims['azp'] === 'string' && claims['azp'] === aud) return { role: 'id', basis: 'jwt-claims', hint: 'azp' }
  return null
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
