import { isJsonObject } from './decode.ts'
import { MAX_BODY_CHARS } from './detect.ts'
import { headerValues, type ExchangeObservation } from './observations.ts'
import { parseUrl, resolveUrl } from './origins.ts'

/**
 * Reads OAuth 2.0 / OpenID Connect protocol messages out of URLs and exchanges by their standard
 * parameters (RFC 6749, RFC 7636, RFC 7009, RFC 9207, OIDC Core and RP-Initiated Logout), never by
 * path: Auth0, Okta, Keycloak, Entra and our own provider all name their endpoints differently.
 * The messages hold raw values (`code`, `state`, tokens) because the flow tracker must match them;
 * they never leave the core: oauth-flow.ts turns them into timeline events that hold none.
 */

/** RFC 7636 §4.3: a `code_challenge` without a method is `plain`. */
export type PkceMethod = 'S256' | 'plain' | 'missing' | 'other'

export interface AuthorizationRequest {
  type: 'authorization-request'
  /** Origin and path: where the request went, without its parameters. */
  endpoint: string
  params: string
  responseType: string
  clientId: string
  redirectUri: string | null
  scope: string | null
  pkce: PkceMethod
  state: string | null
  nonce: string | null
  /** PAR `request_uri` (RFC 9126) or a request object (RFC 9101): the real parameters are not all visible. */
  pushed: boolean
}

export interface AuthorizationResponse {
  type: 'authorization-response'
  /** Origin and path of the redirect URI it landed on. */
  redirectUri: string
  mode: 'query' | 'fragment' | 'form_post'
  code: string | null
  state: string | null
  iss: string | null
  error: string | null
  /** Tokens handed over in the front channel (implicit or hybrid response types). */
  frontChannel: Array<'access_token' | 'id_token'>
  accessToken: string | null
  idToken: string | null
  /** Only `code` or `error`, nothing else OAuth-specific: an OAuth response only where a request asked for it. */
  weak: boolean
}

export interface TokenResponse {
  accessToken: string | null
  idToken: string | null
  refreshToken: string | null
  expiresIn: number | null
  tokenType: string | null
  scope: string | null
  error: string | null
}

export interface TokenRequest {
  type: 'token-request'
  endpoint: string
  grantType: string
  clientId: string | null
  code: string | null
  codeVerifier: boolean
  status: number
  /** Null when the body was not read (an error status, or not JSON). */
  response: TokenResponse | null
  body: string
}

export interface Revocation {
  type: 'revocation'
  endpoint: string
  token: string
  tokenTypeHint: string | null
  status: number
  body: string
}

export interface EndSession {
  type: 'end-session'
  endpoint: string
  params: string
  idTokenHint: string | null
  postLogoutRedirectUri: string | null
  clientId: string | null
}

export type OAuthMessage = AuthorizationRequest | AuthorizationResponse | TokenRequest | Revocation | EndSession

type Params = URLSearchParams

/** Messages in one exchange: the request (URL or form body) and a redirect in its `Location`. */
export function readOAuthExchange(observation: ExchangeObservation): OAuthMessage[] {
  const { request, response } = observation
  const url = parseUrl(request.url)
  if (!url) return []
  const messages: OAuthMessage[] = []
  const fromQuery = readParams(url.searchParams, endpointOf(url), 'query')
  if (fromQuery) messages.push(fromQuery)
  if (request.method.toUpperCase() === 'POST' && request.body && request.body.length <= MAX_BODY_CHARS) {
    const body = bodyParams(request.body, headerValues(request.headers, 'content-type')[0] ?? '')
    if (body) {
      const message = readBody(body, url, request.body, response.status, response.body)
      if (message) messages.push(message)
    }
  }
  const location = headerValues(response.headers, 'location')[0]
  const redirect = location ? readOAuthUrl(resolveUrl(location, request.url)) : null
  if (redirect) messages.push(redirect)
  return messages
}

/** A URL the browser navigated to or was redirected to: query first, then the fragment (implicit responses). */
export function readOAuthUrl(href: string | null): OAuthMessage | null {
  const url = parseUrl(href ?? undefined)
  if (!url) return null
  const fromQuery = readParams(url.searchParams, endpointOf(url), 'query')
  if (fromQuery) return fromQuery
  return url.hash.length > 1 ? readParams(new URLSearchParams(url.hash.slice(1)), endpointOf(url), 'fragment') : null
}

export function endpointOf(url: URL): string {
  return `${url.origin}${url.pathname}`
}

function readParams(params: Params, endpoint: string, mode: 'query' | 'fragment' | 'form_post'): OAuthMessage | null {
  const get = (name: string) => params.get(name)
  const clientId = get('client_id')
  const responseType = get('response_type')
  if (clientId && (responseType !== null || get('request_uri') || get('request'))) {
    const challenge = get('code_challenge')
    const method = get('code_challenge_method')
    const pkce: PkceMethod = !challenge ? 'missing' : method === null || method === 'plain' ? 'plain' : method === 'S256' ? 'S256' : 'other'
    return {
      type: 'authorization-request',
      endpoint,
      params: sortedParams(params),
      responseType: responseType ?? '',
      clientId,
      redirectUri: get('redirect_uri'),
      scope: get('scope'),
      pkce,
      state: get('state'),
      nonce: get('nonce'),
      pushed: Boolean(get('request_uri') || get('request')),
    }
  }
  if (get('id_token_hint') !== null || get('post_logout_redirect_uri') !== null) {
    return { type: 'end-session', endpoint, params: sortedParams(params), idTokenHint: get('id_token_hint'), postLogoutRedirectUri: get('post_logout_redirect_uri'), clientId }
  }
  const accessToken = get('access_token')
  const idToken = get('id_token')
  const code = get('code')
  const error = get('error')
  if (code === null && error === null && accessToken === null && idToken === null) return null
  const state = get('state')
  const iss = get('iss')
  const frontChannel = [...(accessToken ? ['access_token' as const] : []), ...(idToken ? ['id_token' as const] : [])]
  // An access token in a query string is more often a bearer token sent to an API (RFC 6750 §2.3)
  // than an authorization response: only a fragment, `token_type` or `state` says the latter.
  const tokenResponse = frontChannel.length > 0 && (mode !== 'query' || get('token_type') !== null)
  const weak = state === null && iss === null && get('session_state') === null && !tokenResponse
  return { type: 'authorization-response', redirectUri: endpoint, mode, code, state, iss, error, frontChannel, accessToken, idToken, weak }
}

function readBody(params: Params, url: URL, raw: string, status: number, responseBody: string | undefined): OAuthMessage | null {
  const endpoint = endpointOf(url)
  const grantType = params.get('grant_type')
  if (grantType) {
    return {
      type: 'token-request',
      endpoint,
      grantType,
      clientId: params.get('client_id'),
      code: params.get('code'),
      codeVerifier: Boolean(params.get('code_verifier')),
      status,
      response: tokenResponse(responseBody),
      body: raw,
    }
  }
  const token = params.get('token')
  // RFC 7009 and RFC 7662 share their parameters; an introspection answer says `active`.
  if (token && (params.has('token_type_hint') || /revo/i.test(url.pathname)) && !/"active"\s*:/.test(responseBody ?? '')) {
    return { type: 'revocation', endpoint, token, tokenTypeHint: params.get('token_type_hint'), status, body: raw }
  }
  return readParams(params, endpoint, 'form_post')
}

function tokenResponse(body: string | undefined): TokenResponse | null {
  if (!body || body.length > MAX_BODY_CHARS) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return null
  }
  if (!isJsonObject(parsed)) return null
  const text = (name: string) => (typeof parsed[name] === 'string' ? parsed[name] : null)
  const seconds = Number(parsed['expires_in'])
  return {
    accessToken: text('access_token'),
    idToken: text('id_token'),
    refreshToken: text('refresh_token'),
    // RFC 6749 §5.1 says a number; some servers send a numeric string.
    expiresIn: parsed['expires_in'] !== undefined && parsed['expires_in'] !== null && Number.isFinite(seconds) && seconds >= 0 ? seconds : null,
    tokenType: text('token_type'),
    scope: text('scope'),
    error: text('error'),
  }
}

/** Form bodies per RFC 6749 §3.2; JSON too, which some providers accept at their token endpoint. */
function bodyParams(body: string, contentType: string): Params | null {
  const trimmed = body.trim()
  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      return null
    }
    if (!isJsonObject(parsed)) return null
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') params.set(name, value)
    return params
  }
  return /x-www-form-urlencoded/i.test(contentType) || (contentType === '' && /^[\w.~%-]+=/.test(trimmed)) ? new URLSearchParams(trimmed) : null
}

function sortedParams(params: Params): string {
  return [...params].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join('&')
}
