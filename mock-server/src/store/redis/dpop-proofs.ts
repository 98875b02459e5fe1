import type { DpopReplayRecords } from '../types.ts'
import { guard } from './client.ts'
import type { RedisKeys } from './keys.ts'
import type { RunScript } from './scripts.ts'

/**
 * How long Redis keeps a proof past its expiry. Unlike other records, proofs are one per request,
 * so they are not kept a day (GC_MARGIN_MS): the TTL is relative, measured between two readings of
 * the backend's clock, and so holds whatever its offset. Only moving the offset back by more than
 * this while a proof is in flight could let it be replayed.
 */
const PROOF_GC_MARGIN_MS = 5 * 60_000

/** One key per proof seen (key thumbprint and `jti`); claiming it is one script, atomic across instances. */
export class RedisDpopReplayRecords implements DpopReplayRecords {
  constructor(
    private readonly run: RunScript,
    private readonly keys: RedisKeys,
  ) {}

  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAt - now)) + PROOF_GC_MARGIN_MS
    return (await guard(() => this.run('dpopClaim', [this.keys.dpopProof(key)], [String(expiresAt), String(now), String(ttl)]))) === 1
  }
}
