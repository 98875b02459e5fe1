import type { ClientGrant, TokenBinding } from './access-tokens.ts'
import { BackendError } from './errors.ts'
import { base64url, fromBase64url, randomToken, sha256 } from './random.ts'
import type { Clock } from './clock.ts'
import { timed, type Timings } from './timings.ts'
import { mapAwaitable, type Awaitable } from './awaitable.ts'

export type RefreshTransport = 'body' | 'cookie'

/**
 * One login's chain of refresh tokens. Only digests are kept (M21): the newest is `currentHash`;
 * the store indexes every earlier one too, so that presenting it again is recognised as reuse.
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
  /**
   * The last rotation, replayable during the grace window (M29). The successor is kept masked
   * with the previous token, which the store does not hold, so even this stays unusable (M21).
   */
  lastRotation?: { fromHash: string; maskedSuccessor: string; until: number }
  revoked: boolean
  /** Set when an OpenID client got it: only that client may refresh, and keeps that scope. */
  client?: ClientGrant
  /**
   * RFC 9449 §5: a public client's family started with a DPoP proof is bound to that key's
   * thumbprint; only a proof from the same key refreshes it.
   */
  jkt?: string
}


/** The fields of a refresh family that change when it rotates. */
export type FamilyAdvance = Pick<RefreshFamily, 'currentHash' | 'idleExpiresAt' | 'lastRotation'>

/**
 * Where refresh-token families live (stores implement it), indexed by the digest of every token
 * they ever issued, so a rotated token still leads to its family (reuse detection, M8).
 */
export interface RefreshFamilyRecords {
  insert(family: RefreshFamily): Awaitable<void>
  /** The family that issued the token with this digest, current or rotated. */
  findByHash(hash: string): Awaitable<Readonly<RefreshFamily> | undefined>
  get(id: string): Awaitable<Readonly<RefreshFamily> | undefined>
  /**
   * Compare-and-set: applies `next` only while the family is live and its current digest is still
   * `fromHash`; false when another request rotated or revoked it first (M29).
   */
  advance(id: string, fromHash: string, next: FamilyAdvance): Awaitable<boolean>
  revoke(id: string): Awaitable<void>
  /** Revokes the user's live families; answers how many. */
  revokeUser(userId: string): Awaitable<number>
  all(): Awaitable<ReadonlyArray<Readonly<RefreshFamily>>>
}

export interface RefreshFamilyOptions {
  clock: Clock
  absoluteTtlSeconds: number
  idleTtlSeconds: number
  /** 0 = strict: any second use of a rotated token revokes the family. */
  reuseGraceSeconds: number
  records: RefreshFamilyRecords
}

export interface Rotation {
  family: Readonly<RefreshFamily>
  refreshToken: string
  /** True when the grace window replayed the previous rotation instead of rotating again. */
  replayed: boolean
}

export class RefreshFamilies {
  constructor(private readonly options: RefreshFamilyOptions) {}

  async start(userId: string, transport: RefreshTransport, timings?: Timings, { client, jkt }: TokenBinding = {}): Promise<{ family: RefreshFamily; refreshToken: string }> {
    const now = this.options.clock.now()
    const refreshToken = randomToken()
    const family: RefreshFamily = {
      id: randomToken(16),
      userId,
      transport,
      csrfToken: randomToken(),
      createdAt: now,
      absoluteExpiresAt: now + this.options.absoluteTtlSeconds * 1000,
      idleExpiresAt: Math.min(now + this.options.idleTtlSeconds * 1000, now + this.options.absoluteTtlSeconds * 1000),
      currentHash: await sha256(refreshToken),
      revoked: false,
      ...(client ? { client } : {}),
      ...(jkt ? { jkt } : {}),
    }
    await timed(timings, 'store', () => this.options.records.insert(family))
    return { family, refreshToken }
  }

  /**
   * Rotates a refresh token. The store's compare-and-set decides a race: of two requests with the
   * same token (in this process or on another instance sharing the store) exactly one advances the
   * family; the other reads it again and finds its token rotated: reuse, or the grace replay (M29).
   * A family bound to a DPoP key refuses before anything else unless `proofKey` is that key (D8):
   * whoever lacks the key can neither rotate the family nor make it look reused.
   */
  /** `clientless`: only a family no OAuth client holds (the first-party JSON refresh, which names no client). */
  async rotate(refreshToken: string, timings?: Timings, proofKey?: string, clientless = false): Promise<Rotation> {
    const hash = await sha256(refreshToken)
    for (;;) {
      const now = this.options.clock.now()
      const family = await timed(timings, 'store', () => this.options.records.findByHash(hash))
      if (!family || family.revoked) throw invalidGrant('refresh token is not valid')
      // A client's token refreshes at the token endpoint, which authenticates the client.
      if (clientless && family.client) throw invalidGrant('refresh token was issued to an OAuth client')
      if (family.jkt !== undefined && family.jkt !== proofKey) {
        throw invalidGrant('refresh token is bound to a DPoP key; send a proof signed with that key', 'dpop_binding')
      }
      if (now >= family.absoluteExpiresAt) throw invalidGrant('refresh token has expired', 'expired')

      if (family.currentHash !== hash) {
        const replay = family.lastRotation
        if (replay && replay.fromHash === hash && now < replay.until) {
          const successor = await mask(refreshToken, replay.maskedSuccessor)
          // Read again after the await: the successor may have rotated on, or the family been revoked.
          const latest = await timed(timings, 'store', () => this.options.records.get(family.id))
          if (latest && !latest.revoked && latest.lastRotation?.maskedSuccessor === replay.maskedSuccessor) {
            return { family: latest, refreshToken: successor, replayed: true }
          }
          continue
        }
        await timed(timings, 'store', () => this.options.records.revoke(family.id))
        throw new BackendError('refresh_token_reused', 'refresh token was already used; every token of this sign-in is revoked')
      }
      if (now >= family.idleExpiresAt) throw invalidGrant('refresh token has expired (unused for too long)', 'expired')

      const next = randomToken()
      const advance = {
        currentHash: await sha256(next),
        idleExpiresAt: Math.min(now + this.options.idleTtlSeconds * 1000, family.absoluteExpiresAt),
        lastRotation:
          this.options.reuseGraceSeconds > 0
            ? { fromHash: hash, maskedSuccessor: await mask(refreshToken, next), until: now + this.options.reuseGraceSeconds * 1000 }
            : undefined,
      }
      if (await timed(timings, 'store', () => this.options.records.advance(family.id, hash, advance))) {
        return { family: { ...family, ...advance }, refreshToken: next, replayed: false }
      }
    }
  }

  /** The live family a refresh token belongs to, or undefined; never throws. */
  async find(refreshToken: string): Promise<Readonly<RefreshFamily> | undefined> {
    const family = await this.options.records.findByHash(await sha256(refreshToken))
    return family && !family.revoked ? family : undefined
  }

  async get(id: string): Promise<Readonly<RefreshFamily> | undefined> {
    const family = await this.options.records.get(id)
    return family && !family.revoked ? family : undefined
  }

  async revoke(id: string): Promise<void> {
    await this.options.records.revoke(id)
  }

  async revokeUser(userId: string): Promise<number> {
    return this.options.records.revokeUser(userId)
  }

  /** Not `async`: the embedded store answers synchronously, so `snapshot()` can too. */
  liveFamilies(userId?: string): Awaitable<Array<Readonly<RefreshFamily>>> {
    const now = this.options.clock.now()
    return mapAwaitable(this.options.records.all(), (families) =>
      families.filter(
        // An idle-expired family can never rotate again, so it is no longer live either (M28).
        (family) =>
          !family.revoked &&
          now < family.absoluteExpiresAt &&
          now < family.idleExpiresAt &&
          (userId === undefined || family.userId === userId),
      ),
    )
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
