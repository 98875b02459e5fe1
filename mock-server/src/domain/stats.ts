import { createBffStats, type BffStats } from './bff/bff.ts'

/** Counters the demo's comparison lab and the benchmarks read from `/__mock/stats`. */
export interface Stats {
  logins: number
  failedLogins: number
  refreshes: number
  reuseDetections: number
  unauthorized: number
  sessionLookups: number
  signatureVerifications: number
  csrfRejections: number
  /** OpenID Provider: authorization requests answered with a code. */
  authorizations: number
  /** OpenID Provider: codes exchanged for tokens. */
  codeRedemptions: number
  /**
   * DPoP (RFC 9449): proofs accepted, and requests refused by the `reason` they were answered with:
   * a failed proof check (`invalid_dpop_proof`; `replay` counts replays caught), `nonce` for a nonce
   * asked for, `bearer_downgrade` for a bound token sent as Bearer, `unbound_token` for a bearer
   * token sent as DPoP, `dpop_binding` for a bound refresh token without its key's proof.
   */
  dpop: { verified: number; refused: Record<string, number> }
  /** The backend-for-frontend: sign-ins, requests proxied, refreshes it made or joined. */
  bff: BffStats
  /** Requests per `METHOD path`. */
  requests: Record<string, number>
  /** Answers per `METHOD path status`, e.g. `POST /api/notes 415`. */
  responses: Record<string, number>
}

export function createStats(): Stats {
  return {
    logins: 0,
    failedLogins: 0,
    refreshes: 0,
    reuseDetections: 0,
    unauthorized: 0,
    sessionLookups: 0,
    signatureVerifications: 0,
    csrfRejections: 0,
    authorizations: 0,
    codeRedemptions: 0,
    dpop: { verified: 0, refused: {} },
    bff: createBffStats(),
    requests: {},
    responses: {},
  }
}
