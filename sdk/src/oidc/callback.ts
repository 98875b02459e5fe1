import { AuthError, type AuthErrorCode } from '../errors.ts'
import type { ProviderMetadata } from './discovery.ts'

/** The authorization response's parameters: they must leave the address bar and the history (O15). */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri']

/** Provider errors passed on as the AuthError's code (OIDC Core §3.1.2.6, RFC 6749 §4.1.2.1); others are `provider_error`. */
const PASSED_ON = ['access_denied', 'login_required', 'interaction_required', 'consent_required', 'account_selection_required']

/**
 * Replaces the current history entry with the page's URL without the response parameters, so
 * neither the address bar, the history, a bookmark nor a reload carries the code (O15).
 */
export function cleanAddressBar(): void {
  const here = new URL(location.href)
  for (const name of RESPONSE_PARAMS) here.searchParams.delete(name)
  if (here.href !== location.href) history.replaceState(history.state, '', here.href)
}

/**
 * Checks an authorization response whose state was ours: the issuer it names (RFC 9207), then
 * whether the provider refused. Returns the code.
 */
export function readAuthorizationResponse(params: URLSearchParams, metadata: ProviderMetadata): string {
  const iss = params.get('iss')
  // RFC 9207 §2.4: a present `iss` must be the issuer; a missing one is refused when the provider
  // says it always sends it. Either way the code is never sent to a token endpoint (O12).
  if (iss === null ? metadata.authorization_response_iss_parameter_supported : iss !== metadata.issuer) {
    throw new AuthError('invalid_issuer', iss === null ? 'the response names no issuer' : `the response comes from ${iss.slice(0, 200)}`)
  }
  const error = params.get('error')
  if (error !== null) {
    const description = params.get('error_description')
    const code = (PASSED_ON.includes(error) ? error : 'provider_error') as AuthErrorCode
    throw new AuthError(code, `authorize: ${error.slice(0, 100)}${description ? `: ${description.slice(0, 200)}` : ''}`)
  }
  const code = params.get('code')
  if (!code) throw new AuthError('invalid_response', 'the response carries neither a code nor an error')
  return code
}
