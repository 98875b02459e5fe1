import { isJsonObject } from './decode.ts'

/**
 * Public keys the inspected page fetched itself: any response that is a JWK Set (RFC 7517 §5),
 * whether from `/.well-known/jwks.json`, an OpenID provider's `jwks_uri` or anywhere else. The
 * extension never requests a key of its own (E15): it can verify a signature only with a key the
 * page already had. Private and symmetric members are dropped on sight: a JWK Set served with them
 * is a leak worth fixing, never key material for AuthLens to hold.
 */

export interface PublicJwk {
  kty: 'RSA' | 'EC' | 'OKP'
  kid?: string
  alg?: string
  use?: string
  crv?: string
  n?: string
  e?: string
  x?: string
  y?: string
}

export interface ObservedKey {
  jwk: PublicJwk
  /** The response it came in. */
  url: string
  seenAt: number
}

const PUBLIC_MEMBERS = ['kid', 'alg', 'use', 'crv', 'n', 'e', 'x', 'y'] as const
const MAX_KEYS_PER_SET = 20

/** The public signing keys of a JWK Set body; null when the body is not a JWK Set. */
export function jwkSetKeys(body: string): PublicJwk[] | null {
  const text = body.trim()
  if (!text.startsWith('{') || !text.includes('"keys"') || text.length > 256 * 1024) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  if (!isJsonObject(parsed) || !Array.isArray(parsed['keys'])) return null
  const keys: PublicJwk[] = []
  for (const raw of parsed['keys'].slice(0, MAX_KEYS_PER_SET)) {
    if (!isJsonObject(raw) || (raw['kty'] !== 'RSA' && raw['kty'] !== 'EC' && raw['kty'] !== 'OKP')) continue
    if (raw['use'] !== undefined && raw['use'] !== 'sig') continue
    const jwk: PublicJwk = { kty: raw['kty'] }
    for (const member of PUBLIC_MEMBERS) {
      const value = raw[member]
      if (typeof value === 'string' && value.length <= 2048) jwk[member] = value
    }
    keys.push(jwk)
  }
  return keys.length > 0 ? keys : null
}

export interface KeyStore {
  /** Takes the keys of a response body that is a JWK Set; true when it was one. */
  observe(url: string, body: string, at: number): boolean
  /** Newest first. */
  keys(): ObservedKey[]
  /** Changes whenever the keys do: a signature checked against an older version is checked again. */
  readonly version: number
  clear(): void
}

/** The same key (same kid and material) seen again is refreshed, not added twice. */
export function createKeyStore(maxKeys = 50): KeyStore {
  let held: ObservedKey[] = []
  let version = 0
  const identity = (jwk: PublicJwk) => JSON.stringify([jwk.kid, jwk.kty, jwk.crv, jwk.n, jwk.e, jwk.x, jwk.y])
  return {
    observe(url, body, at) {
      const keys = jwkSetKeys(body)
      if (!keys) return false
      const fresh = keys.map((jwk) => ({ jwk, url, seenAt: at }))
      const ids = new Set(fresh.map((k) => identity(k.jwk)))
      held = [...fresh, ...held.filter((k) => !ids.has(identity(k.jwk)))].slice(0, maxKeys)
      version++
      return true
    },
    keys: () => held,
    get version() {
      return version
    },
    clear() {
      held = []
      version++
    },
  }
}
