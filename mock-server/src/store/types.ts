import type { RefreshFamily } from '../domain/refresh-families.ts'
import type { Session } from '../domain/sessions.ts'

/** The memory store answers synchronously; a networked store answers with a promise. Callers await both. */
export type Awaitable<T> = T | Promise<T>

/** The fields of a refresh family that change when it rotates. */
export type FamilyAdvance = Pick<RefreshFamily, 'currentHash' | 'idleExpiresAt' | 'lastRotation'>

/**
 * Where sessions live. `touch` is one atomic step (look up, check expiry, slide): split in two,
 * a request could slide a session that another request has just found expired.
 */
export interface SessionRecords {
  /** Stores a new session; `replacing` is deleted in the same step (fixation, M12). */
  insert(session: Session, replacing?: string): Awaitable<void>
  /**
   * The session as of `now`, its idle expiry slid; `'expired'` (and deleted) when `now` is past
   * its absolute expiry or `idleTimeoutMs` after it was last seen; undefined when unknown.
   */
  touch(id: string, now: number, idleTimeoutMs: number): Awaitable<Session | 'expired' | undefined>
  deleteUser(userId: string): Awaitable<number>
  /** Stored sessions, expired ones not yet collected included. */
  count(): Awaitable<number>
}

/**
 * Where refresh-token families live, indexed by the digest of every token they ever issued, so a
 * rotated token still leads to its family (reuse detection, M8).
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

/** The access-token denylist; keys are built by the domain from `(iss, jti)` (M31). */
export interface RevocationRecords {
  add(key: string, expiresAtSeconds: number): Awaitable<void>
  /** Whether the key is listed and its token not yet expired at `nowSeconds`. */
  has(key: string, nowSeconds: number): Awaitable<boolean>
  count(): Awaitable<number>
}

/** All the state a backend keeps about sign-ins; one store can be shared by many instances. */
export interface AuthStateStore {
  readonly kind: 'memory' | 'redis'
  readonly sessions: SessionRecords
  readonly families: RefreshFamilyRecords
  readonly revocations: RevocationRecords
  /** Forgets every session, family and revocation (the control route `/__mock/reset`). */
  clear(): Awaitable<void>
  /** Round trips to the store so far: 0 for the embedded store. */
  roundTrips(): number
}

/** Applies `map` at once to a synchronous answer, after it resolves to an asynchronous one. */
export function mapAwaitable<T, U>(value: Awaitable<T>, map: (value: T) => U): Awaitable<U> {
  return value instanceof Promise ? value.then(map) : map(value)
}
