import { MemoryRevocationRecords } from '../store/memory.ts'
import type { Awaitable, RevocationRecords } from '../store/types.ts'

/**
 * Access-token denylist keyed by `(iss, jti)`, never by the token or its hash: ECDSA signatures
 * are malleable, so one token has many valid encodings (M31). Entries drop once the token expires.
 */
export class RevocationList {
  constructor(private readonly records: RevocationRecords = new MemoryRevocationRecords()) {}

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
