import type { BffLoginRecords, PendingLogin } from '../domain/bff/logins.ts'
import type { BffSession, BffSessionRecords, BffTokens, RefreshClaim } from '../domain/bff/sessions.ts'
import type { DpopReplayRecords } from '../domain/dpop.ts'
import type { AuthorizationCode, CodeRecords, CodeRedemption } from '../domain/oidc/codes.ts'
import type { ProviderSession, ProviderSessionRecords } from '../domain/oidc/provider-sessions.ts'
import type { FamilyAdvance, RefreshFamily, RefreshFamilyRecords } from '../domain/refresh-families.ts'
import type { RevocationRecords } from '../domain/revocation-list.ts'
import { sessionExpired } from '../domain/session-expiry.ts'
import type { Session, SessionRecords } from '../domain/sessions.ts'
import type { AuthStateStore } from './types.ts'

/**
 * The embedded store (the default): plain maps in this process, answered synchronously, so every
 * step below is atomic by construction; one instance only.
 */
export class MemorySessionRecords implements SessionRecords {
  private readonly sessions = new Map<string, Session>()

  insert(session: Session, replacing?: string): void {
    if (replacing !== undefined) this.sessions.delete(replacing)
    this.sessions.set(session.id, session)
  }

  touch(id: string, now: number, idleTimeoutMs: number): Session | 'expired' | undefined {
    const session = this.sessions.get(id)
    if (!session) return undefined
    if (sessionExpired(session, now, idleTimeoutMs)) {
      this.sessions.delete(id)
      return 'expired'
    }
    session.lastSeenAt = now
    return session
  }

  deleteUser(userId: string): number {
    return deleteWhere(this.sessions, (session) => session.userId === userId)
  }

  count(): number {
    return this.sessions.size
  }
}

export class MemoryRefreshFamilyRecords implements RefreshFamilyRecords {
  private readonly families = new Map<string, RefreshFamily>()
  private readonly familyByHash = new Map<string, string>()

  insert(family: RefreshFamily): void {
    this.families.set(family.id, family)
    this.familyByHash.set(family.currentHash, family.id)
  }

  findByHash(hash: string): RefreshFamily | undefined {
    const id = this.familyByHash.get(hash)
    return id === undefined ? undefined : this.families.get(id)
  }

  get(id: string): RefreshFamily | undefined {
    return this.families.get(id)
  }

  advance(id: string, fromHash: string, next: FamilyAdvance): boolean {
    const family = this.families.get(id)
    if (!family || family.revoked || family.currentHash !== fromHash) return false
    // A new object, not an update in place: a caller still holding the old one sees the old state.
    this.families.set(id, { ...family, ...next })
    this.familyByHash.set(next.currentHash, id)
    return true
  }

  revoke(id: string): void {
    const family = this.families.get(id)
    if (family) this.families.set(id, { ...family, revoked: true })
  }

  revokeUser(userId: string): number {
    let count = 0
    for (const family of this.families.values()) {
      if (family.userId === userId && !family.revoked) {
        this.revoke(family.id)
        count++
      }
    }
    return count
  }

  all(): RefreshFamily[] {
    return [...this.families.values()]
  }
}

export class MemoryRevocationRecords implements RevocationRecords {
  private readonly entries = new Map<string, number>()

  add(key: string, expiresAtSeconds: number): void {
    this.entries.set(key, expiresAtSeconds)
  }

  has(key: string, nowSeconds: number): boolean {
    const expiresAt = this.entries.get(key)
    if (expiresAt === undefined) return false
    if (expiresAt < nowSeconds) {
      this.entries.delete(key)
      return false
    }
    return true
  }

  count(): number {
    return this.entries.size
  }
}

/** Codes are few and short-lived: spent or expired ones are dropped whenever a new one is stored. */
export class MemoryCodeRecords implements CodeRecords {
  private readonly codes = new Map<string, AuthorizationCode & { replayed: boolean }>()

  constructor(private readonly now: () => number) {}

  insert(code: AuthorizationCode): void {
    const now = this.now()
    for (const [hash, stored] of this.codes) if (stored.expiresAt <= now && !stored.redemption) this.codes.delete(hash)
    this.codes.set(code.hash, { ...code, replayed: false })
  }

  spend(hash: string): AuthorizationCode | undefined {
    const code = this.codes.get(hash)
    if (!code) return undefined
    const { replayed: _, ...before } = code
    this.codes.set(hash, { ...code, spent: true, replayed: code.spent })
    return before
  }

  redeem(hash: string, redemption: CodeRedemption): boolean {
    const code = this.codes.get(hash)
    if (!code) return false
    this.codes.set(hash, { ...code, redemption })
    return !code.replayed
  }

  count(): number {
    return this.codes.size
  }
}

export class MemoryProviderSessionRecords implements ProviderSessionRecords {
  private readonly sessions = new Map<string, { session: ProviderSession; families: string[] }>()

  insert(session: ProviderSession, replacing?: string): void {
    const carried = replacing === undefined ? [] : (this.sessions.get(replacing)?.families ?? [])
    if (replacing !== undefined) this.sessions.delete(replacing)
    this.sessions.set(session.id, { session, families: [...carried] })
  }

  get(id: string): ProviderSession | undefined {
    return this.sessions.get(id)?.session
  }

  bindFamily(id: string, familyId: string): void {
    this.sessions.get(id)?.families.push(familyId)
  }

  delete(id: string): string[] {
    const entry = this.sessions.get(id)
    this.sessions.delete(id)
    return entry?.families ?? []
  }

  deleteUser(userId: string): number {
    return deleteWhere(this.sessions, ({ session }) => session.userId === userId)
  }

  count(): number {
    return this.sessions.size
  }
}

/**
 * Seen proofs in arrival order. Their expiries follow `iat`, so they arrive nearly in order: dropping
 * expired ones from the front as new ones come keeps the map near one window's worth.
 */
export class MemoryDpopReplayRecords implements DpopReplayRecords {
  private readonly seen = new Map<string, number>()

  claim(key: string, expiresAt: number, now: number): boolean {
    for (const [oldest, until] of this.seen) {
      if (until > now) break
      this.seen.delete(oldest)
    }
    const held = this.seen.get(key)
    if (held !== undefined && held > now) return false
    this.seen.delete(key)
    this.seen.set(key, expiresAt)
    return true
  }
}

/** BFF sessions with their refresh claims beside them: an expired claim is free to take. */
export class MemoryBffSessionRecords implements BffSessionRecords {
  private readonly sessions = new Map<string, BffSession>()
  private readonly claims = new Map<string, { owner: string; until: number }>()

  insert(session: BffSession, replacing?: string): void {
    if (replacing !== undefined) this.delete(replacing)
    this.sessions.set(session.id, session)
  }

  touch(id: string, now: number, idleTimeoutMs: number): BffSession | 'expired' | undefined {
    const session = this.sessions.get(id)
    if (!session) return undefined
    if (sessionExpired(session, now, idleTimeoutMs)) {
      this.delete(id)
      return 'expired'
    }
    const slid = { ...session, lastSeenAt: now }
    this.sessions.set(id, slid)
    return slid
  }

  get(id: string): BffSession | undefined {
    return this.sessions.get(id)
  }

  claimRefresh(id: string, version: number, owner: string, until: number, now: number): RefreshClaim {
    const session = this.sessions.get(id)
    if (!session) return 'gone'
    if (session.version !== version) return 'moved'
    const held = this.claims.get(id)
    if (held && held.until > now) return 'busy'
    this.claims.set(id, { owner, until })
    return 'claimed'
  }

  completeRefresh(id: string, version: number, owner: string, tokens: BffTokens): boolean {
    const session = this.sessions.get(id)
    if (!session || session.version !== version || this.claims.get(id)?.owner !== owner) return false
    this.claims.delete(id)
    this.sessions.set(id, { ...session, tokens, version: version + 1 })
    return true
  }

  releaseRefresh(id: string, owner: string): void {
    if (this.claims.get(id)?.owner === owner) this.claims.delete(id)
  }

  delete(id: string): BffSession | undefined {
    const session = this.sessions.get(id)
    this.sessions.delete(id)
    this.claims.delete(id)
    return session
  }

  count(): number {
    return this.sessions.size
  }
}

/** Pending sign-ins; expired ones are dropped whenever a new one is stored. */
export class MemoryBffLoginRecords implements BffLoginRecords {
  private readonly logins = new Map<string, PendingLogin>()

  constructor(private readonly now: () => number) {}

  insert(login: PendingLogin): void {
    const now = this.now()
    for (const [state, pending] of this.logins) if (pending.expiresAt <= now) this.logins.delete(state)
    this.logins.set(login.state, login)
  }

  take(state: string): PendingLogin | undefined {
    const login = this.logins.get(state)
    this.logins.delete(state)
    return login
  }
}

/** `now` is the backend's clock, which collects expired codes. */
export function createMemoryStore(now: () => number = Date.now): AuthStateStore {
  const records = () => ({
    sessions: new MemorySessionRecords(),
    families: new MemoryRefreshFamilyRecords(),
    revocations: new MemoryRevocationRecords(),
    codes: new MemoryCodeRecords(now),
    providerSessions: new MemoryProviderSessionRecords(),
    dpopProofs: new MemoryDpopReplayRecords(),
    bffSessions: new MemoryBffSessionRecords(),
    bffLogins: new MemoryBffLoginRecords(now),
  })
  const store = {
    kind: 'memory' as const,
    ...records(),
    clear() {
      Object.assign(store, records())
    },
    roundTrips: () => 0,
  }
  return store
}

/** Deletes the entries whose value matches; answers how many. */
function deleteWhere<K, V>(map: Map<K, V>, matches: (value: V) => boolean): number {
  let count = 0
  for (const [key, value] of map) {
    if (matches(value)) {
      map.delete(key)
      count++
    }
  }
  return count
}
