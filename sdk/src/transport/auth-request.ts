import { AuthError, type AuthErrorCode } from '../errors.ts'

export type AuthRequestKind = 'login' | 'refresh' | 'logout' | 'session'

/**
 * One request to an auth endpoint, with a deadline (S27) and every failure mapped to a typed
 * error: a hung server, a dropped connection and an HTML error page all end as an `AuthError`.
 */
export async function sendAuthRequest(
  fetchImpl: typeof fetch,
  kind: AuthRequestKind,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  onResponse: (response: Response) => void,
): Promise<Record<string, unknown>> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  let response: Response
  let text: string
  try {
    response = await fetchImpl(url, { ...init, signal: controller.signal })
    text = await response.text()
  } catch {
    throw controller.signal.aborted
      ? new AuthError('timeout', `${kind} request timed out after ${timeoutMs} ms`)
      : new AuthError('network', `${kind} request failed: network error`)
  } finally {
    clearTimeout(timer)
  }
  onResponse(response)
  let body: Record<string, unknown> | undefined
  try {
    const parsed: unknown = text ? JSON.parse(text) : {}
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>
  } catch {
    // Not JSON: decided below by status.
  }
  if (response.ok && body) return body
  const retryAfter = Number(response.headers.get('retry-after')) || undefined
  if (!body) {
    const code = response.ok ? 'invalid_response' : response.status >= 500 || response.status === 429 ? 'server_error' : errorFor(kind, '')
    throw new AuthError(code, `${kind} answered ${response.status} without a JSON body`, response.status, retryAfter)
  }
  const error = typeof body.error === 'string' ? body.error : ''
  const reason = typeof body.reason === 'string' ? body.reason : ''
  const description = typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 200)}` : ''
  const code: AuthErrorCode =
    response.status === 429
      ? 'too_many_attempts'
      : response.status >= 500
        ? 'server_error'
        : errorFor(kind, reason === 'refresh_token_reused' || (kind === 'refresh' && reason === 'expired') ? reason : error)
  throw new AuthError(code, `${kind} failed (${response.status} ${error || 'error'})${description}`, response.status, retryAfter)
}

function errorFor(kind: AuthRequestKind, error: string): AuthErrorCode {
  if (error === 'refresh_token_reused' || error === 'session_expired' || error === 'csrf_failed') return error
  // An expired refresh token is the end of the sign-in's lifetime, not a broken refresh.
  if (error === 'expired') return 'session_expired'
  if (kind === 'login') return 'invalid_credentials'
  if (kind === 'refresh') return 'refresh_failed'
  if (kind === 'session') return 'session_expired'
  return 'revocation_failed'
}
