import { BackendError } from './errors.ts'
import { base64url, fromBase64url, randomToken, sha256 } from './random.ts'
import type { Clock } from './clock.ts'

export type RefreshTransport = 'body' | 'cookie'

/**
 * One login's chain of refresh tokens. Only digests are kept (M21); the newest is `currentHash`,
 * every earlier one is in `rotatedHashes` so that presenting it again is recognised as reuse.
 */
export interface RefreshFamily {
  id: string
  userId: string
  transport: RefreshTransport
  /** Bound CSRF token for cookie transport: refresh and logout ride on a cookie there. */
  csrfToken: string
  createdAt: number
  /** Fixed at login; rotation never moves it (M28). */
  absoluteExpiresAt: number
  idleExpiresAt: number
  currentHash: string
  rotatedHashes: Set<string>
  /**
   * The last rotation, replayable during the grace window (M29). The successor is kept masked
   * with the previous token, which the store does not hold, so even this stays unusable (M21).
   */
  lastRotation?: { fromHash: string; maskedSuccessor: string; until: number }
  revoked: boolean
}

export interface RefreshFamilyOptions {
  clock: Clock
  absoluteTtlSeconds: number
  idleTtlSeconds: number
  /** 0 = strict: any second use of a rotated token revokes the family. */
  reuseGraceSeconds: number
}

export interface Rotation {
  family: RefreshFamily
  refreshToken: string
  /** True when the grace window replayed the previous rotation instead of rotating again. */
  replayed: boolean
}

export class RefreshFamilies {
  private readonly families = new Map<string, RefreshFamily>()
  private readonly familyByHash = new Map<string, string>()

  constructor(private readonly options: RefreshFamilyOptions) {}

  async start(userId: string, transport: RefreshTransport): Promise<{ family: RefreshFamily; refreshToken: string }> {
    const now = this.options.clock.now()
    const refreshToken = randomToken()
    const hash = await sha256(refreshToken)
    const family: RefreshFamily = {
      id: randomToken(16),
      userId,
      transport,
      csrfToken: randomToken(),
      createdAt: now,
      absoluteExpiresAt: now + this.options.absoluteTtlSeconds * 1000,
      idleExpiresAt: Math.min(now + this.options.idleTtlSeconds * 1000, now + this.options.absoluteTtlSeconds * 1000),
      currentHash: hash,
      rotatedHashes: new Set(),
      revoked: false,
    }
    this.families.set(family.id, family)
    this.familyByHash.set(hash, family.id)
    return { family, refreshToken }
  }

  /**
   * Rotates a refresh token. Everything after the digest is synchronous, so two requests with the
   * same token cannot both rotate: the first wins, the second is reuse (M29).
   */
  async rotate(refreshToken: string): Promise<Rotation> {
    const hash = await sha256(refreshToken)
    const now = this.options.clock.now()
    const family = this.lookup(hash)
    if (!family || family.revoked) throw invalidGrant('refresh token is not valid')
    if (now >= family.absoluteExpiresAt) throw invalidGrant('refresh token has expired', 'expired')

    if (family.currentHash !== hash) {
      const replay = family.lastRotation
      if (replay && replay.fromHash === hash && now < replay.until) {
        const successor = await mask(refreshToken, replay.maskedSuccessor)
        // Re-check after the await: the successor may have rotated on, or the family been revoked.
        if (family.revoked || family.lastRotation !== replay) return this.rotate(refreshToken)
        return { family, refreshToken: successor, replayed: true }
      }
      family.revoked = true
      throw new BackendError('refresh_token_reused', 'refresh token was already used; every token of this sign-in is revoked')
    }
    if (now >= family.idleExpiresAt) throw invalidGrant('refresh token has expired (unused for too long)', 'expired')

    const next = randomToken()
    const nextHash = await sha256(next)
    const maskedSuccessor = this.options.reuseGraceSeconds > 0 ? await mask(refreshToken, next) : undefined
    // Re-check after the awaits: another request may have rotated or revoked meanwhile.
    if (family.revoked || family.currentHash !== hash) return this.rotate(refreshToken)
    family.rotatedHashes.add(hash)
    family.currentHash = nextHash
    family.idleExpiresAt = Math.min(now + this.options.idleTtlSeconds * 1000, family.absoluteExpiresAt)
    family.lastRotation =
      maskedSuccessor !== undefined
        ? { fromHash: hash, maskedSuccessor, until: now + this.options.reuseGraceSeconds * 1000 }
        : undefined
    this.familyByHash.set(nextHash, family.id)
    return { family, refreshToken: next, replayed: false }
  }

  /** The live family a refresh token belongs to, or undefined; never throws. */
  async find(refreshToken: string): Promise<RefreshFamily | undefined> {
    const family = this.lookup(await sha256(refreshToken))
    return family && !family.revoked ? family : undefined
  }

  get(id: string): RefreshFamily | undefined {
    const family = this.families.get(id)
    return family && !family.revoked ? family : undefined
  }

  revoke(id: string): void {
    const family = this.families.get(id)
    if (family) family.revoked = true
  }

  revokeUser(userId: string): number {
    let count = 0
    for (const family of this.families.values()) {
      if (family.userId === userId && !family.revoked) {
        family.revoked = true
        count++
      }
    }
    return count
  }

  liveFamilies(userId?: string): RefreshFamily[] {
    const now = this.options.clock.now()
    return [...this.families.values()].filter(
      // An idle-expired family can never rotate again, so it is no longer live either (M28).
      (family) =>
        !family.revoked &&
        now < family.absoluteExpiresAt &&
        now < family.idleExpiresAt &&
        (userId === undefined || family.userId === userId),
    )
  }

  private lookup(hash: string): RefreshFamily | undefined {
    const id = this.familyByHash.get(hash)
    return id === undefined ? undefined : this.families.get(id)
  }
}

/**
 * XOR with a pad derived from the previous token: applied twice it gives the value back. The store
 * keeps SHA-256 of the bare token, not of this prefixed input, so it cannot rebuild the pad.
 */
async function mask(previous: string, value: string): Promise<string> {
  const pad = fromBase64url(await sha256(`replay-pad:${previous}`))
  const bytes = fromBase64url(value)
  if (bytes.length !== pad.length) throw new Error('refresh tokens must be 32 bytes to be masked')
  return base64url(bytes.map((byte, i) => byte ^ (pad[i] ?? 0)))
}

/** `reason: 'expired'` lets clients tell an ended sign-in from a refused token. */
function invalidGrant(description: string, reason?: string): BackendError {
  return new BackendError('invalid_grant', description, reason ? { reason } : {})
}
