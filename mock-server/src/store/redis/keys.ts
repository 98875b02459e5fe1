/**
 * Every expiry rule is checked against the backend's clock, whose offset the demo can move by up
 * to a day (`/__mock/clock`); Redis expires keys by its own, real clock. So a key's Redis TTL is
 * only garbage collection, set this much past the expiry the backend checks: Redis never deletes
 * state the backend still considers alive, at any offset it allows.
 */
export const GC_MARGIN_MS = 86_400_000

/** Key layout under one prefix, so several backends (or tests) can share a Redis without meeting. */
export function redisKeys(prefix: string) {
  return {
    prefix,
    session: (id: string) => `${prefix}s:${id}`,
    sessionPrefix: `${prefix}s:`,
    userSessions: (userId: string) => `${prefix}us:${userId}`,
    family: (id: string) => `${prefix}f:${id}`,
    familyPrefix: `${prefix}f:`,
    userFamilies: (userId: string) => `${prefix}uf:${userId}`,
    tokenHash: (hash: string) => `${prefix}h:${hash}`,
    revoked: (key: string) => `${prefix}r:${key}`,
    revokedPrefix: `${prefix}r:`,
    code: (hash: string) => `${prefix}c:${hash}`,
    codePrefix: `${prefix}c:`,
    providerSession: (id: string) => `${prefix}op:${id}`,
    providerSessionPrefix: `${prefix}op:`,
    providerSessionFamilies: (id: string) => `${prefix}opf:${id}`,
    providerSessionFamiliesPrefix: `${prefix}opf:`,
    userProviderSessions: (userId: string) => `${prefix}uop:${userId}`,
    dpopProof: (key: string) => `${prefix}dp:${key}`,
    bffSession: (id: string) => `${prefix}bs:${id}`,
    bffSessionPrefix: `${prefix}bs:`,
    bffLogin: (state: string) => `${prefix}bl:${state}`,
  }
}

export type RedisKeys = ReturnType<typeof redisKeys>

/** Absolute expiry for PXAT/PEXPIREAT, as the integer string Redis expects. */
export function gcAt(expiresAtMs: number): string {
  return String(Math.ceil(expiresAtMs + GC_MARGIN_MS))
}
