/**
 * Every failure the backend reports has a stable `code` (the JSON `error` field) and an HTTP status.
 * Domain modules throw these; handlers turn them into `{ error, error_description }` responses.
 */
export const errorStatus = {
  invalid_request: 400,
  /** RFC 9449 §5, §7.1: 400 at token endpoints; resources answer it as 401 with a DPoP challenge. */
  invalid_dpop_proof: 400,
  /** RFC 9449 §8, §9: the proof must carry the nonce in the `DPoP-Nonce` header; same statuses. */
  use_dpop_nonce: 400,
  invalid_grant: 401,
  refresh_token_reused: 401,
  unsupported_grant_type: 400,
  invalid_client: 401,
  invalid_credentials: 401,
  missing_credentials: 401,
  invalid_token: 401,
  invalid_session: 401,
  session_expired: 401,
  insufficient_scope: 403,
  csrf_failed: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_attempts: 429,
  server_error: 500,
  not_supported: 501,
  /** The BFF's upstream (the provider or the API) failed or could not be reached. */
  bad_gateway: 502,
  temporarily_unavailable: 503,
  store_unavailable: 503,
  gateway_timeout: 504,
} as const

export type BackendErrorCode = keyof typeof errorStatus

export class BackendError extends Error {
  readonly status: number
  /** Extra response headers (`Retry-After`, `Allow`, `WWW-Authenticate`). */
  readonly headers: Record<string, string>
  /** A finer, stable sub-code (for `invalid_token`: which check failed). */
  readonly reason: string | undefined

  constructor(
    readonly code: BackendErrorCode,
    readonly description: string,
    options: { status?: number; headers?: Record<string, string>; reason?: string } = {},
  ) {
    super(description)
    this.name = 'BackendError'
    this.status = options.status ?? errorStatus[code]
    this.headers = options.headers ?? {}
    this.reason = options.reason
  }
}

/** Thrown at construction: the backend refuses to start with an unsafe configuration (M25). */
export class ConfigurationError extends Error {
  constructor(
    readonly code: 'weak_secret' | 'invalid_option',
    message: string,
  ) {
    super(message)
    this.name = 'ConfigurationError'
  }
}
