import type { ClientRegistry, OidcClient } from './clients.ts'

export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const

export interface AuthorizationRequest {
  client: OidcClient
  redirectUri: string
  state: string | undefined
  nonce: string | undefined
  /** The granted scope: the supported scopes asked for, `openid` first. */
  scope: string
  codeChallenge: string
  prompt: 'none' | 'login' | undefined
  /** Seconds; the sign-in must be at most this old (OIDC Core §3.1.2.1). */
  maxAge: number | undefined
  loginHint: string | undefined
}

export type AuthorizationErrorCode = 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'login_required'

export type ParsedAuthorization =
  /** Nowhere safe to send the browser back to: the provider shows the message itself (O2). */
  | { kind: 'refuse'; message: string }
  /** Sent back to the client's registered redirect URI as an error response. */
  | { kind: 'error'; redirectUri: string; state: string | undefined; error: AuthorizationErrorCode; description: string }
  | { kind: 'valid'; request: AuthorizationRequest }

const SINGLE = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'login_hint']
/** RFC 7636 §4.2: BASE64URL(SHA-256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/**
 * Checks an authorization request (OIDC Core §3.1.2.1, RFC 9700 §2.1). The client and its
 * redirect URI come first: until both are known good, an error must not redirect anywhere, or the
 * provider would be an open redirector (RFC 9700 §4.1.3). After that, errors go back to the client.
 */
export function parseAuthorizationRequest(params: URLSearchParams, clients: ClientRegistry): ParsedAuthorization {
  const clientId = params.get('client_id')
  const client = clientId === null ? undefined : clients.get(clientId)
  if (!client) return { kind: 'refuse', message: clientId === null ? 'The request names no client (client_id is missing).' : 'The request names a client this provider does not know.' }
  const redirectUri = params.get('redirect_uri')
  if (redirectUri === null) return { kind: 'refuse', message: `${client.name} sent no redirect_uri.` }
  // Exact string comparison: no normalisation of case, port, trailing slash or query (RFC 9700 §4.1.3).
  if (!client.redirectUris.has(redirectUri) || params.getAll('redirect_uri').length > 1) {
    return { kind: 'refuse', message: `The redirect_uri does not match any address registered for ${client.name}.` }
  }

  const state = params.get('state') ?? undefined
  const fail = (error: AuthorizationErrorCode, description: string): ParsedAuthorization => ({ kind: 'error', redirectUri, state, error, description })

  const repeated = SINGLE.find((name) => params.getAll(name).length > 1)
  if (repeated) return fail('invalid_request', `"${repeated}" must not be repeated`)
  const tooLong = [...params].find(([, value]) => value.length > 2048)
  if (tooLong) return fail('invalid_request', `"${tooLong[0].slice(0, 40)}" is too long`)

  const responseType = params.get('response_type')
  if (responseType === null) return fail('invalid_request', 'response_type is required')
  // RFC 9700 §2.1.2: the implicit and hybrid flows put tokens in URLs; only the code flow is offered.
  if (responseType !== 'code') return fail('unsupported_response_type', 'only response_type=code is supported')

  const requested = (params.get('scope') ?? '').split(' ').filter(Boolean)
  if (!requested.includes('openid')) return fail('invalid_scope', 'scope must include "openid"')
  // RFC 6749 §3.3: scopes this provider does not know are left out of the grant, not an error.
  const scope = SUPPORTED_SCOPES.filter((name) => requested.includes(name)).join(' ')

  // RFC 9700 §2.1.1: PKCE always, and only S256; `plain` would send the verifier itself.
  const codeChallenge = params.get('code_challenge')
  if (codeChallenge === null) return fail('invalid_request', 'code_challenge is required (PKCE, RFC 7636)')
  if (params.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256')
  if (!S256_CHALLENGE.test(codeChallenge)) return fail('invalid_request', 'code_challenge must be 43 base64url characters (S256)')

  const prompts = (params.get('prompt') ?? '').split(' ').filter(Boolean)
  if (prompts.includes('none') && prompts.length > 1) return fail('invalid_request', 'prompt=none cannot be combined with other values')
  const unknownPrompt = prompts.find((value) => !['none', 'login', 'consent', 'select_account'].includes(value))
  if (unknownPrompt) return fail('invalid_request', `prompt "${unknownPrompt.slice(0, 40)}" is not supported`)

  const maxAgeText = params.get('max_age')
  if (maxAgeText !== null && !/^\d{1,9}$/.test(maxAgeText)) return fail('invalid_request', 'max_age must be a non-negative integer')

  return {
    kind: 'valid',
    request: {
      client,
      redirectUri,
      state,
      nonce: params.get('nonce') ?? undefined,
      scope,
      codeChallenge,
      // First-party clients have nothing to consent to, and one account per session to select.
      prompt: prompts.includes('none') ? 'none' : prompts.includes('login') ? 'login' : undefined,
      maxAge: maxAgeText === null ? undefined : Number(maxAgeText),
      loginHint: params.get('login_hint') ?? undefined,
    },
  }
}

/** Whether the sign-in is recent enough for `max_age` (OIDC Core §3.1.2.1). */
export function withinMaxAge(request: AuthorizationRequest, authTime: number, nowSeconds: number): boolean {
  return request.maxAge === undefined || nowSeconds - authTime <= request.maxAge
}

/**
 * The authorization response URL (RFC 6749 §4.1.2): the registered URI with the answer added to
 * its query, and `iss`, which lets the client tell which provider answered (RFC 9207, O9).
 */
export function authorizationResponse(redirectUri: string, issuer: string, answer: Record<string, string | undefined>): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(answer)) if (value !== undefined) url.searchParams.append(name, value)
  url.searchParams.append('iss', issuer)
  return url.href
}
