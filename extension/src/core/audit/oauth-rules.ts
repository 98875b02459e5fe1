import type { PlaceRecord, TokenRecord } from '../identity.ts'
import type { AuthorizationRequestFact } from '../oauth-flow.ts'
import { redactUrl } from '../redact.ts'
import { describeToken, isSentAsBearer, jwsTokens } from './token-facts.ts'
import { finding, type Evidence, type Finding, type RuleContext } from './types.ts'

/**
 * How the page signs in with OAuth 2.0 / OpenID Connect, read from the authorization requests,
 * code exchanges and token places the core saw:
 *   A1 the implicit flow, or tokens delivered in a URL (RFC 9700 §2.1.2; OAuth 2.1 drops it)
 *   A2 an authorization code request without PKCE (high) or with `plain` (medium)
 *   A3 an authorization request without `state`; high when neither PKCE nor a nonce stands in for it
 *   A4 an ID token sent to an API as a bearer credential (audience confusion)
 * Requests whose parameters were pushed (PAR `request_uri`) or sent in a request object are not
 * judged on what the URL lacks: the parameters are elsewhere.
 */

const FRONT_CHANNEL_FIELDS = new Set(['access_token', 'id_token'])

export function oauthRules(ctx: RuleContext): Finding[] {
  const requests = ctx.oauth.authorizationRequests
  return [...implicitFlow(ctx, requests), ...pkce(ctx, requests), ...state(requests), ...idTokenAsBearer(ctx)]
}

const responseTypes = (request: AuthorizationRequestFact) => new Set(request.responseType.split(' ').filter(Boolean))
const requestEvidence = (request: AuthorizationRequestFact): Evidence => ({
  text: `authorization request #${request.flow} by client ${request.clientId} to ${request.endpoint}`,
  request: { method: 'GET', url: request.endpoint },
})

function implicitFlow(ctx: RuleContext, requests: readonly AuthorizationRequestFact[]): Finding[] {
  const findings: Finding[] = []
  for (const request of requests) {
    const types = responseTypes(request)
    if (types.has('code') || !(types.has('token') || types.has('id_token'))) continue
    findings.push(finding('A1', `request:${request.endpoint}:${request.clientId}:${request.responseType}`, {
      detail: `response_type "${request.responseType}" has the provider return ${types.has('token') ? 'the access token' : 'the ID token'} in the redirect URL, where history, logs, Referer headers and any script on the page can take it, and nothing binds it to this client. Use the authorization code flow with PKCE (response_type=code).`,
      evidence: requestEvidence(request),
    }))
  }
  for (const token of ctx.tokens) {
    const place = token.places.find(isFrontChannelPlace)
    if (!place) continue
    const where = place.place.source === 'url-fragment' ? 'URL fragment' : place.place.source === 'location-header' ? 'redirect Location header' : 'URL query'
    findings.push(finding('A1', token.id, {
      detail: `Delivered as "${place.place.key}" in a ${where}: an implicit or hybrid response. URLs leak through history, logs and Referer, and a token injected there cannot be told from a real one (RFC 9700 §4.1–4.3). Get tokens from the token endpoint instead (code + PKCE).`,
      evidence: tokenEvidence(token, place),
    }))
  }
  return findings
}

/** A token parameter the provider put in a URL for the page, not one the page sent in a query (that is J11's). */
function isFrontChannelPlace(place: PlaceRecord): boolean {
  const { source, key } = place.place
  if (!FRONT_CHANNEL_FIELDS.has(key)) return false
  return source === 'url-fragment' || source === 'location-header' || (source === 'url-query' && place.direction === 'received')
}

function pkce(ctx: RuleContext, requests: readonly AuthorizationRequestFact[]): Finding[] {
  const findings: Finding[] = []
  const flagged = new Set<string>()
  for (const request of requests) {
    if (request.pushed || !responseTypes(request).has('code') || request.pkce === 'S256') continue
    flagged.add(request.clientId)
    const missing = request.pkce === 'missing'
    findings.push(finding('A2', `${request.endpoint}:${request.clientId}`, {
      ...(missing ? {} : { severity: 'medium' as const, title: `PKCE with code_challenge_method ${request.pkce === 'plain' ? 'plain' : 'other than S256'}` }),
      detail: missing
        ? 'No code_challenge: an authorization code stolen or injected on the way back (Referer, logs, a malicious app on the redirect URI) can be redeemed by anyone. Send code_challenge with code_challenge_method=S256.'
        : 'With plain, the challenge is the verifier itself: anyone who sees the authorization request can redeem the code. Use S256 (RFC 7636 §4.2; RFC 9700 §2.1.1).',
      evidence: requestEvidence(request),
    }))
  }
  // The request may not have been seen (the page started over on the provider's login page).
  for (const exchange of ctx.oauth.codeExchanges) {
    if (exchange.codeVerifier || flagged.has(exchange.clientId ?? '')) continue
    flagged.add(exchange.clientId ?? '')
    findings.push(finding('A2', `exchange:${exchange.endpoint}:${exchange.clientId ?? ''}`, {
      detail: 'The authorization code was redeemed without code_verifier: the authorization request used no PKCE, so a stolen or injected code works for anyone.',
      evidence: { text: `code exchange${exchange.clientId ? ` by client ${exchange.clientId}` : ''} at ${exchange.endpoint}`, request: { method: 'POST', url: exchange.endpoint } },
    }))
  }
  return findings
}

function state(requests: readonly AuthorizationRequestFact[]): Finding[] {
  const findings: Finding[] = []
  for (const request of requests) {
    if (request.pushed || request.state) continue
    const unprotected = request.pkce === 'missing' && !request.nonce
    findings.push(finding('A3', `${request.endpoint}:${request.clientId}`, {
      ...(unprotected ? { severity: 'high' as const } : {}),
      detail: unprotected
        ? 'No state, no PKCE and no nonce: nothing ties the callback to this browser, so an attacker can log the user into the attacker\'s account or inject a stolen code (CSRF on the redirect URI).'
        : `No state: the callback cannot tell a response it asked for from one an attacker sent. ${request.pkce === 'missing' ? 'A nonce' : 'PKCE'} limits code injection, but state still protects the client's callback from CSRF and carries its own request context.`,
      evidence: requestEvidence(request),
    }))
  }
  return findings
}

/**
 * An ID token is for the client (OIDC Core §2): its audience is the client_id, not an API. An API
 * that accepts it takes any ID token the client ever got, for any purpose. RFC 9068 §4 makes
 * resource servers insist on `typ: at+jwt`, which is what tells the two apart.
 */
function idTokenAsBearer(ctx: RuleContext): Finding[] {
  const clientIds = new Set([...ctx.oauth.authorizationRequests.map((r) => r.clientId), ...ctx.oauth.codeExchanges.flatMap((e) => (e.clientId ? [e.clientId] : []))])
  const findings: Finding[] = []
  for (const { token, header, claims } of jwsTokens(ctx.tokens)) {
    if (!isSentAsBearer(token)) continue
    const typ = String(header['typ'] ?? '').toLowerCase()
    if (typ === 'at+jwt' || typ === 'application/at+jwt') continue
    const audiences = (Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']]).filter((a): a is string => typeof a === 'string')
    const clientAudience = audiences.find((a) => clientIds.has(a))
    const why =
      token.role === 'id' && token.roleBasis === 'oauth-field'
        ? `it was seen as ${token.roleHint}`
        : token.role === 'id' && token.roleBasis === 'jwt-claims'
          ? `it carries ${token.roleHint}, a claim only ID tokens have`
          : !knownAccessToken(token) && clientAudience && !('scope' in claims) && !('scp' in claims)
            ? `its audience is the client_id ${clientAudience}`
            : null
    if (!why) continue
    const place = token.places.find((p) => p.direction === 'sent' && p.place.source === 'authorization-header')
    findings.push(finding('A4', token.id, {
      detail: `An ID token sent as "Authorization: Bearer": ${why}. ID tokens tell the client who signed in; an API that accepts them accepts any ID token issued to this client, for any purpose. Send the access token, and have the API require typ at+jwt and its own audience.`,
      evidence: tokenEvidence(token, place),
    }))
  }
  return findings
}

/** Issued as `access_token`, or says so in its claims: its audience is its issuer's business. */
function knownAccessToken(token: TokenRecord): boolean {
  return token.role === 'access' && (token.roleBasis === 'oauth-field' || token.roleBasis === 'jwt-claims')
}

function tokenEvidence(token: TokenRecord, place: PlaceRecord | undefined): Evidence {
  const exchange = place?.lastExchange
  return { text: describeToken(token), tokenId: token.id, ...(place ? { place: place.place } : {}), ...(exchange ? { request: { method: exchange.method, url: redactUrl(exchange.url) } } : {}) }
}
