import type { RefreshFamily } from '../domain/refresh-families.ts'
import { sessionExpired } from '../domain/session-expiry.ts'
import type { Session } from '../domain/sessions.ts'
import type { AuthStateStore, FamilyAdvance, RefreshFamilyRecords, RevocationRecords, SessionRecords } from './types.ts'

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
    let count = 0
    for (const [id, session] of this.sessions) {
      if (session.userId === userId) {
        this.sessions.delete(id)
        count++
      }
    }
    return count
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

export function createMemoryStore(): AuthStateStore {
  const store = {
    kind: 'memory' as const,
    sessions: new MemorySessionRecords(),
    families: new MemoryRefreshFamilyRecords(),
    revocations: new MemoryRevocationRecords(),
    clear() {
      Object.assign(store, { sessions: new MemorySessionRecords(), families: new MemoryRefreshFamilyRecords(), revocations: new MemoryRevocationRecords() })
    },
    roundTrips: () => 0,
  }
  return store
}
