import {
  SIGNATURE_NOT_VERIFIED,
  cnfJkt,
  formatDuration,
  type AthCheck,
  type Direction,
  type DpopBinding,
  type DpopEvent,
  type DpopProofProblem,
  type NonceCheck,
  type StateCheck,
  type SignatureCheck,
  type TimelineEntry,
  type TokenDpop,
  type TokenPlace,
  type TokenRecord,
} from '../core/index.ts'
import type { Tone } from './components/Badge.tsx'

/**
 * Words for what the panel shows. Pure, so the phrasing is unit-tested and the same everywhere.
 */

export function clockTime(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
}

/** "in 4m 58s" / "12s ago" */
export function relative(ms: number): string {
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`
}

export function shortId(id: string): string {
  return id.slice(1, 9)
}

const ROLE_NAMES: Record<TokenRecord['role'], string> = { access: 'access token', id: 'ID token', refresh: 'refresh token', session: 'session id', unknown: 'token' }

export function roleName(role: TokenRecord['role']): string {
  return ROLE_NAMES[role]
}

export function kindName(token: TokenRecord): string {
  switch (token.inspection.kind) {
    case 'jws': {
      const alg = token.inspection.header['alg']
      // An empty signature from the SDK bridge is the SDK withholding it (S20), not an unsecured JWT.
      const unsecured = (typeof alg === 'string' && alg.toLowerCase() === 'none') || (token.inspection.signature === '' && token.unsignedElsewhere)
      return unsecured ? 'JWT, unsecured' : 'JWT (JWS)'
    }
    case 'jwe':
      return 'JWE (encrypted)'
    case 'opaque':
      return 'opaque'
    case 'not-jwt':
      // A session id is a reference, not an attempt at a JWT: express-session's `s:id.sig` is fine.
      return token.role === 'session' ? 'opaque' : 'not a JWT'
  }
}

/** "access token for u_alice · 1a2b3c4d": how a token is named across the panel. */
export function tokenLabel(token: TokenRecord | undefined, id?: string): string {
  if (!token) return id ? `token ${shortId(id)}` : 'token'
  const sub = token.inspection.kind === 'jws' ? token.inspection.claims['sub'] : undefined
  return `${roleName(token.role)}${typeof sub === 'string' ? ` for ${sub}` : ''} · ${shortId(token.id)}`
}

const SOURCES: Record<TokenPlace['source'], string> = {
  'authorization-header': 'Authorization header',
  'request-header': 'request header',
  'response-header': 'response header',
  'cookie-header': 'Cookie header',
  'request-body': 'request body',
  'response-body': 'response body',
  'set-cookie': 'Set-Cookie',
  'location-header': 'Location header',
  'url-query': 'URL query',
  'url-fragment': 'URL fragment',
  'cookie-jar': 'cookie',
  'local-storage': 'localStorage',
  'session-storage': 'sessionStorage',
  'sdk-bridge': 'SDK (page memory)',
}

export function placeName(place: TokenPlace): string {
  const source = SOURCES[place.source]
  if (place.source === 'sdk-bridge') return place.key === 'memory' ? source : `SDK, stored in ${place.key}`
  if (place.source === 'authorization-header') return source
  return place.key ? `${source} "${place.key}"` : source
}

export const DIRECTION_NAMES: Record<Direction, string> = { stored: 'lives in', sent: 'sent in', received: 'received in' }

export function pathOf(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.pathname}${parsed.search ? '?…' : ''}`
  } catch {
    return url
  }
}

/** "network + sdk" for a login both reported; the one source otherwise. */
export function sourcesText(entry: TimelineEntry): string {
  return entry.kind === 'login' || entry.kind === 'logout' ? entry.sources.join(' + ') : entry.source
}

/** Said of a timeline entry only an earlier page saw, kept when the panel started over. */
export const CARRIED_OVER = { label: 'previous page', explanation: 'seen only before the page changed; kept because its sign-in round trip was still in flight' } as const

export interface SignatureText {
  headline: string
  detail: string | null
  /** verified: green; mismatch: red; unverified: the E19 warning. */
  tone: 'verified' | 'mismatch' | 'unverified'
}

/** What the Tokens view says about a signature: E19's warning unless a check against a key the page fetched settled it. */
export function signatureText(check: SignatureCheck | undefined): SignatureText {
  const unverified = (detail: string | null): SignatureText => ({ headline: SIGNATURE_NOT_VERIFIED, detail, tone: 'unverified' })
  const keyName = (kid: string | null) => (kid === null ? 'the key without kid' : `the key \`${kid}\``)
  switch (check?.status) {
    case undefined:
    case 'unsigned':
      return unverified(null)
    case 'verified':
      return { headline: `Signature verified with ${keyName(check.kid)} from ${check.url}, seen at ${clockTime(check.seenAt)}`, detail: 'Checked offline against the JWK Set the page fetched; nothing was requested.', tone: 'verified' }
    case 'mismatch':
      return { headline: `Signature does not match ${keyName(check.kid)} from ${check.url}, seen at ${clockTime(check.seenAt)}`, detail: 'These claims were not signed by that key: altered, forged, or signed with a key the issuer has since replaced.', tone: 'mismatch' }
    case 'no-key':
      return unverified(`No key seen: the page has fetched no JWK Set with ${check.kid === null ? 'a key for this alg' : `kid "${check.kid}"`}.`)
    case 'needs-secret':
      return unverified(`${check.alg} is checked with the server's secret, which a browser never sees: not verifiable without it.`)
    case 'weak-secret':
      return { headline: `Signature verified with the well-known secret ${check.secret}`, detail: 'Anyone can sign tokens with it (J2).', tone: 'mismatch' }
    case 'unsupported':
      return unverified(`AuthLens does not verify ${check.alg} signatures.`)
  }
}

export interface EventText {
  title: string
  detail: string
}

export function describeEvent(entry: TimelineEntry, tokens: ReadonlyMap<string, TokenRecord>): EventText {
  const label = (id: string | null) => (id ? tokenLabel(tokens.get(id), id) : 'no token')
  switch (entry.kind) {
    case 'login':
      return { title: 'Login', detail: entry.detail }
    case 'logout':
      return { title: 'Logout', detail: entry.detail }
    case 'token-issued':
      return { title: 'Token seen', detail: `${label(entry.tokenId)} in ${placeName(entry.place)}` }
    case 'refresh-detected':
      return { title: 'Refresh', detail: `${label(entry.tokenId)} replaces ${shortId(entry.previousTokenId)} (same issuer and subject)` }
    case 'unauthorized':
      return { title: `${entry.status} Unauthorized`, detail: `${entry.method} ${pathOf(entry.url)} with ${label(entry.tokenId)}` }
    case 'retry-after-refresh':
      return { title: '401 → refresh → retry', detail: `${entry.method} ${pathOf(entry.url)}: ${shortId(entry.failedTokenId)} refused, retried with ${shortId(entry.refreshedTokenId)}` }
    case 'expired':
      return { title: 'Expired', detail: `${label(entry.tokenId)} passed its exp` }
    case 'sdk-event':
      return { title: `SDK: ${entry.name}`, detail: summarize(entry.data) }
    case 'authorization-request':
      return {
        title: 'Authorization request',
        detail: join([
          `response_type ${entry.responseType || '(pushed)'}`,
          entry.pushed ? 'parameters pushed (PAR / request object)' : `PKCE ${entry.pkce === 'missing' ? 'missing' : entry.pkce}`,
          `state ${entry.state ? 'yes' : 'no'}`,
          `nonce ${entry.nonce ? 'yes' : 'no'}`,
          entry.scope === null ? null : `scope ${entry.scope}`,
          `client_id ${entry.clientId}`,
          `→ ${entry.endpoint}`,
        ]),
      }
    case 'authorization-response':
      return {
        title: entry.error === null ? 'Authorization response' : `Authorization error: ${entry.error}`,
        detail: join([
          entry.code ? 'code REDACTED' : null,
          entry.frontChannel.length > 0 ? `${entry.frontChannel.join(' + ')} in the URL ${entry.mode}` : null,
          STATE_CHECKS[entry.state],
          `iss ${entry.iss ? 'yes' : 'no'}`,
          `via ${entry.mode === 'form_post' ? 'form_post' : entry.mode}`,
          `→ ${entry.redirectUri}`,
        ]),
      }
    case 'token-response':
      return {
        title: GRANT_TITLES[entry.grantType] ?? `Token request (${entry.grantType})`,
        detail: join([
          `${entry.status}${entry.error ? ` ${entry.error}` : ''}`,
          entry.codeVerifier === null ? null : `code_verifier ${entry.codeVerifier ? 'sent' : 'missing'}`,
          entry.idTokenId ? label(entry.idTokenId) : null,
          entry.accessTokenId ? label(entry.accessTokenId) : null,
          entry.refreshTokenId ? label(entry.refreshTokenId) : null,
          entry.expiresIn === null ? null : `expires_in ${entry.expiresIn}s`,
          // Bearer is what every other token response says; DPoP (RFC 9449 §5) is worth a mark.
          entry.tokenType === null || entry.tokenType.toLowerCase() === 'bearer' ? null : `token_type ${entry.tokenType}`,
          NONCE_CHECKS[entry.nonce],
          `at ${entry.endpoint}`,
        ]),
      }
    case 'revocation':
      return { title: 'Token revocation', detail: join([String(entry.status), entry.tokenId ? label(entry.tokenId) : null, entry.tokenTypeHint ? `hint ${entry.tokenTypeHint}` : null, `at ${entry.endpoint}`]) }
    case 'end-session':
      return {
        title: 'End session',
        detail: join([
          entry.idTokenHint ? `id_token_hint ${entry.idTokenId ? label(entry.idTokenId) : 'yes'}` : 'no id_token_hint',
          entry.postLogoutRedirectUri ? `post_logout_redirect_uri ${entry.postLogoutRedirectUri}` : null,
          entry.clientId ? `client_id ${entry.clientId}` : null,
          `→ ${entry.endpoint}`,
        ]),
      }
    case 'dpop-request':
      return describeDpop(entry, label)
  }
}

function describeDpop(entry: DpopEvent, label: (id: string | null) => string): EventText {
  const { proof, token } = entry
  const title = proof ? 'DPoP proof' : token?.scheme === 'Bearer' ? 'DPoP-bound token as Bearer' : 'DPoP without a proof'
  return {
    title,
    detail: join([
      `${entry.method} ${pathOf(entry.url)} (${entry.status})`,
      token ? BINDING_TEXT[token.binding] : null,
      proof ? `key ${proof.keyType ?? '(none)'} thumbprint ${proof.jkt ?? '(none)'}` : null,
      proof ? `htm ${proof.htm ?? '(none)'}${proof.fits.htm ? '' : ' ≠ request'}` : null,
      proof ? `htu ${proof.htu ?? '(none)'}${proof.fits.htu ? '' : ' ≠ request'}` : null,
      proof ? `jti ${proof.jti ?? '(none)'}${proof.replayed ? ' (seen before: replayed)' : ''}` : null,
      proof && proof.iat !== null ? `iat ${clockTime(proof.iat * 1000)}` : null,
      proof ? ATH_TEXT[proof.ath] : null,
      proof ? `nonce ${proof.nonce ? 'yes' : 'no'}` : null,
      ...(proof?.problems ?? []).map((problem) => PROOF_PROBLEMS[problem]),
      token ? `${label(token.id)} as ${token.scheme}` : null,
    ]),
  }
}

const BINDING_TEXT: Record<DpopBinding, string> = {
  yes: 'binding: yes (the proof’s key is the token’s)',
  no: 'binding: no (the proof is signed by another key)',
  'no-proof': 'binding: no (no proof sent)',
  bearer: 'sent as Bearer: binding not used (downgrade)',
  unknown: 'binding: not known (the token’s key was not seen)',
}
const ATH_TEXT: Record<AthCheck, string> = { matches: 'ath matches the token', mismatch: 'ath is another token’s', missing: 'no ath', present: 'ath present', absent: 'no ath (none needed)' }
const PROOF_PROBLEMS: Record<DpopProofProblem, string> = {
  'not-a-jws': 'not a JWS',
  'several-proofs': 'several DPoP headers',
  typ: 'typ is not dpop+jwt',
  alg: 'alg is not an asymmetric signature',
  'no-jwk': 'no usable public jwk',
  'private-key': 'its jwk holds a PRIVATE key',
}

export interface BadgeText {
  label: string
  tone: Tone
  title: string
}

/** The marks a DPoP row carries: the binding, and what the P rules would say of its proof. */
export function dpopBadges(entry: DpopEvent): BadgeText[] {
  const badges: BadgeText[] = []
  const binding = entry.token?.binding
  if (binding === 'yes') badges.push({ label: 'binding: yes', tone: 'good', title: BINDING_TEXT.yes })
  else if (binding === 'no' || binding === 'no-proof') badges.push({ label: 'binding: no', tone: 'bad', title: BINDING_TEXT[binding] })
  else if (binding === 'bearer') badges.push({ label: 'Bearer downgrade', tone: 'bad', title: 'A DPoP-bound token sent as Bearer (audit P1)' })
  const proof = entry.proof
  if (proof?.replayed) badges.push({ label: 'jti replayed', tone: 'warn', title: 'This proof’s jti was sent on another request (audit P2)' })
  if (proof && (!proof.fits.htm || !proof.fits.htu)) badges.push({ label: `${proof.fits.htm ? 'htu' : 'htm'} ≠ request`, tone: 'warn', title: 'The proof was made for another method or URL (audit P3)' })
  if (proof?.ath === 'missing' || proof?.ath === 'mismatch') badges.push({ label: proof.ath === 'missing' ? 'no ath' : 'ath ≠ token', tone: 'warn', title: ATH_TEXT[proof.ath] })
  if (proof && proof.problems.length > 0) badges.push({ label: 'malformed proof', tone: 'bad', title: proof.problems.map((p) => PROOF_PROBLEMS[p]).join(', ') })
  return badges
}

export interface BindingText {
  headline: string
  uses: string | null
}

/** What the Tokens view says of a token's DPoP binding; null for a token with none. */
export function bindingText(token: TokenRecord, dpop: TokenDpop | undefined): BindingText | null {
  const cnf = cnfJkt(token)
  const jkt = dpop?.jkt ?? cnf
  if (!dpop && jkt === null) return null
  const basis = dpop?.basis ?? (cnf !== null ? 'cnf.jkt' : null)
  const headline =
    basis === null
      ? 'Sent with the DPoP scheme; the key it is bound to was not seen (no cnf.jkt, and its token response was not seen)'
      : `DPoP-bound (key thumbprint ${jkt ?? 'not seen'}): ${basis === 'cnf.jkt' ? 'its cnf.jkt' : 'issued with token_type DPoP to the key of the proof on its token request'}`
  const sent = dpop?.sent
  const uses = sent
    ? join([
        sent.yes > 0 ? `sent ×${sent.yes} with a proof of that key (binding: yes)` : null,
        sent.no > 0 ? `×${sent.no} with a proof of another key (binding: no)` : null,
        sent['no-proof'] > 0 ? `×${sent['no-proof']} without a proof` : null,
        sent.unknown > 0 ? `×${sent.unknown} with a proof` : null,
        sent.bearer > 0 ? `×${sent.bearer} as Bearer (downgrade, audit P1)` : null,
      ])
    : ''
  return { headline, uses: uses === '' ? null : uses }
}

const GRANT_TITLES: Readonly<Record<string, string>> = { authorization_code: 'Code exchange', refresh_token: 'Token refresh (refresh_token grant)' }
const STATE_CHECKS: Record<StateCheck, string> = { matches: 'state matches the request', mismatch: 'state does not match the request', unchecked: 'state present (request not seen)', missing: 'no state' }
const NONCE_CHECKS: Record<NonceCheck, string | null> = { matches: 'nonce matches the request', mismatch: 'nonce does not match the request', absent: 'no nonce in the ID token', unchecked: null }

function join(parts: ReadonlyArray<string | null>): string {
  return parts.filter((p): p is string => p !== null).join(' · ')
}

/** "seen as id_token", "typ at+jwt": why AuthLens calls a token what it does. */
export function roleBasisText(token: TokenRecord): string | null {
  switch (token.roleBasis) {
    case 'jwt-typ':
      return `typ ${token.roleHint} in its header`
    case 'oauth-field':
      return `seen as ${token.roleHint}`
    case 'jwt-claims':
      return token.roleHint === 'azp' ? 'azp is its only audience' : `its ${token.roleHint} claim`
    case 'bearer-header':
      return 'sent as a bearer credential'
    case 'session-cookie':
      return 'a session cookie name'
    case 'name':
      return `named ${token.roleHint}`
    case 'none':
      return null
  }
}

function summarize(data: Record<string, unknown>): string {
  const text = JSON.stringify(data) ?? ''
  return text === '{}' ? '' : text.length > 160 ? `${text.slice(0, 159)}…` : text
}
