export type AuthErrorCode =
  | 'invalid_credentials'
  | 'too_many_attempts'
  | 'not_authenticated'
  | 'unauthorized'
  | 'user_changed'
  | 'refresh_failed'
  | 'refresh_token_reused'
  | 'session_expired'
  | 'csrf_failed'
  | 'network'
  | 'timeout'
  | 'lock_timeout'
  | 'invalid_response'
  | 'server_error'
  | 'revocation_failed'
  | 'storage_unavailable'
  | 'invalid_options'
  // OpenID Connect sign-in (`@authlens/sdk/oidc`): the callback, the provider, its answers.
  | 'invalid_state'
  | 'invalid_issuer'
  | 'invalid_id_token'
  | 'invalid_discovery'
  | 'invalid_grant'
  | 'access_denied'
  | 'login_required'
  | 'interaction_required'
  | 'consent_required'
  | 'account_selection_required'
  | 'provider_error'

/**
 * The one error type the SDK rejects with. `code` is stable; `message` never contains a token
 * (server text is scrubbed of anything token-like before it is used).
 */
export class AuthError extends Error {
  override readonly name = 'AuthError'

  constructor(
    readonly code: AuthErrorCode,
    /** What happened, where the code alone does not say; the code by default. */
    message: string = code,
    readonly status?: number,
    /** Seconds the server asked us to wait (`Retry-After`). */
    readonly retryAfter?: number,
  ) {
    super(scrub(message))
  }

  /** Worth another try later: the server or network failed, not the credential. */
  get retryable(): boolean {
    return ['network', 'timeout', 'server_error'].includes(this.code)
  }
}

/**
 * Token-shaped runs (JWT segments, long base64url) are cut from any text the SDK repeats. A run
 * must hold a digit or a capital, so error codes such as `refresh_token_reused` survive.
 */
export const scrub = (text: string): string => text.replace(/(?=[\w-]*[A-Z\d])[\w-]{20,}(\.[\w-]*)*/g, '[redacted]')

export const isAuthError = (value: unknown, code?: AuthErrorCode): value is AuthError =>
  value instanceof AuthError && (code === undefined || value.code === code)

/** Durations and counts from the options: a negative, infinite or non-numeric one is refused. */
export const checkDurations = (...values: number[]): void => {
  if (!values.every((value) => value >= 0 && value < Infinity)) throw new AuthError('invalid_options', 'durations and counts must be >= 0')
}

/** `error` itself when it is an `AuthError`; otherwise (a TypeError, a bad answer) one with `code`. */
export const asAuthError = (error: unknown, code: AuthErrorCode): AuthError => (isAuthError(error) ? error : new AuthError(code))

/** A sign-out done here whose revocation request failed (S31): what the server did not hear. */
export const revocationFailed = (error: unknown): AuthError =>
  new AuthError('revocation_failed', `signed out here; the server was not told: ${(error as Error).message}`)
