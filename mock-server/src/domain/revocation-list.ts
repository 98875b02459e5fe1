import type { Awaitable } from './awaitable.ts'

/** The access-token denylist (stores implement it); keys are built here from `(iss, jti)` (M31). */
export interface RevocationRecords {
  add(key: string, expiresAtSeconds: number): Awaitable<void>
  /** Whether the key is listed and its token not yet expired at `nowSeconds`. */
  has(key: string, nowSeconds: number): Awaitable<boolean>
  count(): Awaitable<number>
}

/**
 * Access-token denylist keyed by `(iss, jti)`, never by the token or its hash: ECDSA signatures
 * are malleable, so one token has many valid encodings (M31). Entries drop once the token expires.
 */
export class RevocationList {
  constructor(private readonly records: RevocationRecords) {}

  async add(issuer: string, jti: string, expiresAtSeconds: number): Promise<void> {
    await this.records.add(key(issuer, jti), expiresAtSeconds)
  }

  has(issuer: string, jti: string, nowSeconds: number): Awaitable<boolean> {
    return this.records.has(key(issuer, jti), nowSeconds)
  }

  /** Not `async`: the embedded store answers synchronously, so `snapshot()` can too. */
  count(): Awaitable<number> {
    return this.records.count()
  }
}

function key(issuer: string, jti: string): string {
  return JSON.stringify([issuer, jti])
}
