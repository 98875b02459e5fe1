/**
 * Access-token denylist keyed by `(iss, jti)`, never by the token or its hash: ECDSA signatures
 * are malleable, so one token has many valid encodings (M31). Entries drop once the token expires.
 */
export class RevocationList {
  private readonly entries = new Map<string, number>()

  add(issuer: string, jti: string, expiresAtSeconds: number): void {
    this.entries.set(key(issuer, jti), expiresAtSeconds)
  }

  has(issuer: string, jti: string, nowSeconds: number): boolean {
    const k = key(issuer, jti)
    const expiresAt = this.entries.get(k)
    if (expiresAt === undefined) return false
    if (expiresAt < nowSeconds) {
      this.entries.delete(k)
      return false
    }
    return true
  }

  get size(): number {
    return this.entries.size
  }

  clear(): void {
    this.entries.clear()
  }
}

function key(issuer: string, jti: string): string {
  return JSON.stringify([issuer, jti])
}
