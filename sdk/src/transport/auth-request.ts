import { AuthError, type AuthErrorCode } from '../errors.ts'

export type AuthRequestKind = 'login' | 'refresh' | 'logout' | 'session'

/** Server error codes the SDK passes on as its own; `use_dpop_nonce` is a request signer's to answer (RFC 9449 §8). */
const PASSED_ON = ['refresh_token_reused', 'session_expired', 'csrf_failed', 'use_dpop_nonce']
const BY_KIND: Record<AuthRequestKind, AuthErrorCode> = {
  login: 'invalid_credentials',
  refresh: 'refresh_failed',
  session: 'session_expired',
  logout: 'revocation_failed',
}

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
  onResponse?: (response: Response) => void,
): Promise<Record<string, unknown>> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  let response: Response | undefined
  let body: Record<string, unknown> | undefined
  try {
    response = await fetchImpl(url, { ...init, signal: controller.signal })
    // An empty answer (RFC 7009 revocation) is an empty object; an unreadable one is judged by
    // its status below.
    body = JSON.parse((await response.text()) || '{}')
  } catch {
    if (!response) throw new AuthError(controller.signal.aborted ? 'timeout' : 'network', `${kind}: no answer`)
  } finally {
    clearTimeout(timer)
  }
  if (typeof body !== 'object' || Array.isArray(body)) body = undefined
  onResponse?.(response)
  const { status, ok } = response
  if (ok && body) return body
  const error = String(body?.error ?? '')
  // `reason` refines `invalid_grant` (reuse, or a sign-in that reached the end of its lifetime)
  // and no other error: a refresh refused `use_dpop_nonce` with a reason is still the signer's to
  // answer. It is only compared with strings, so a reason of any other type matches nothing.
  const reason = error === 'invalid_grant' ? body!.reason : error
  const code: AuthErrorCode =
    status === 429
      ? 'too_many_attempts'
      : status > 499 || (!body && !ok && status !== 401 && status !== 400)
        ? 'server_error'
        : ok
          ? 'invalid_response'
          : reason === 'expired'
            ? 'session_expired'
            : PASSED_ON.includes(reason as string)
              ? (reason as AuthErrorCode)
              : BY_KIND[kind]
  const description = typeof body?.error_description === 'string' ? `: ${body.error_description.slice(0, 200)}` : ''
  throw new AuthError(code, `${kind}: ${status} ${error}${description}`, status, Number(response.headers.get('retry-after')) || undefined)
}
