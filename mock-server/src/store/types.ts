import type { BffLoginRecords } from '../domain/bff/logins.ts'
import type { BffSessionRecords } from '../domain/bff/sessions.ts'
import type { DpopReplayRecords } from '../domain/dpop.ts'
import type { CodeRecords } from '../domain/oidc/codes.ts'
import type { ProviderSessionRecords } from '../domain/oidc/provider-sessions.ts'
import type { RefreshFamilyRecords } from '../domain/refresh-families.ts'
import type { RevocationRecords } from '../domain/revocation-list.ts'
import type { SessionRecords } from '../domain/sessions.ts'

import type { Awaitable } from '../domain/awaitable.ts'

export type { BffLoginRecords, BffSessionRecords, CodeRecords, DpopReplayRecords, ProviderSessionRecords, RefreshFamilyRecords, RevocationRecords, SessionRecords }

/**
 * All the state a backend keeps about sign-ins; one store can be shared by many instances. The
 * domain defines each record interface it needs; a store implements them all.
 */
export interface AuthStateStore {
  readonly kind: 'memory' | 'redis'
  readonly sessions: SessionRecords
  readonly families: RefreshFamilyRecords
  readonly revocations: RevocationRecords
  /** OpenID Provider: one-time authorization codes. */
  readonly codes: CodeRecords
  /** OpenID Provider: sign-ins at the provider (its SSO sessions). */
  readonly providerSessions: ProviderSessionRecords
  /** DPoP proofs seen within their window (replay detection). */
  readonly dpopProofs: DpopReplayRecords
  /** Backend-for-frontend: sessions, each holding its tokens. */
  readonly bffSessions: BffSessionRecords
  /** Backend-for-frontend: sign-ins waiting for the provider's answer. */
  readonly bffLogins: BffLoginRecords
  /** Forgets every record (the control route `/__mock/reset`). */
  clear(): Awaitable<void>
  /** Round trips to the store so far: 0 for the embedded store. */
  roundTrips(): number
}
