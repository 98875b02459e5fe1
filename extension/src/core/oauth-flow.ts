import { inspectToken } from './decode.ts'
import { hash64 } from './hash.ts'
import { roundTripsToCarry, type CarryLimits, type RoundTripProgress, type RoundTripStage } from './oauth-carry.ts'
import { endpointOf, type OAuthMessage, type PkceMethod } from './oauth.ts'
import { parseUrl } from './origins.ts'
import { pageText } from './redact.ts'

/**
 * Follows authorization round trips across observations: request (state, nonce) → response on the
 * redirect URI (does its `state` match?) → code exchange (does the ID token's `nonce` match?), and
 * the refresh, revocation and end-session messages around them. Out come timeline events that
 * hold no credential: the code, state, nonce and verifier are kept only as hashes, for matching,
 * and URLs only as origin and path. Also keeps what the A rules audit (see audit/oauth-rules.ts).
 */

/** `matches` / `mismatch`: a request to this redirect URI was seen; `unchecked`: none was (the page started over since). */
export type StateCheck = 'matches' | 'mismatch' | 'unchecked' | 'missing'
/** The ID token's `nonce` against the one the request sent (OIDC Core §3.1.3.7 step 11). */
export type NonceCheck = 'matches' | 'mismatch' | 'absent' | 'unchecked'

interface OAuthEventBase {
  at: number
  source: 'network'
  /** Same message seen again (HAR entry, redirect Location, page URL) → same fingerprint. */
  fingerprint: string
  /** The round trip it belongs to, numbered from 1 per page; null when its request was not seen. */
  flow: number | null
}

export type OAuthEvent =
  | (OAuthEventBase & { kind: 'authorization-request'; endpoint: string; responseType: string; clientId: string; redirectUri: string | null; scope: string | null; pkce: PkceMethod; state: boolean; nonce: boolean; pushed: boolean })
  | (OAuthEventBase & { kind: 'authorization-response'; redirectUri: string; mode: 'query' | 'fragment' | 'form_post'; code: boolean; error: string | null; state: StateCheck; iss: boolean; frontChannel: Array<'access_token' | 'id_token'> })
  | (OAuthEventBase & {
      kind: 'token-response'
      endpoint: string
      grantType: string
      status: number
      /** Null for grants other than `authorization_code`. */
      codeVerifier: boolean | null
      idTokenId: string | null
      accessTokenId: string | null
      refreshTokenId: string | null
      expiresIn: number | null
      /** `Bearer`, or `DPoP` for a token bound to the key of the request's proof (RFC 9449 §5). */
      tokenType: string | null
      nonce: NonceCheck
      error: string | null
    })
  | (OAuthEventBase & { kind: 'revocation'; endpoint: string; tokenId: string | null; tokenTypeHint: string | null; status: number })
  | (OAuthEventBase & { kind: 'end-session'; endpoint: string; idTokenId: string | null; idTokenHint: boolean; postLogoutRedirectUri: string | null; clientId: string | null })

export type OAuthEventKind = OAuthEvent['kind']

export interface AuthorizationRequestFact {
  flow: number
  at: number
  endpoint: string
  clientId: string
  responseType: string
  pkce: PkceMethod
  state: boolean
  nonce: boolean
  pushed: boolean
}

export interface CodeExchangeFact {
  at: number
  endpoint: string
  clientId: string | null
  codeVerifier: boolean
}

/** A round trip whose code came back to its redirect URI and was not redeemed where the panel could see it. */
export interface UnredeemedCodeFact {
  flow: number
  endpoint: string
  clientId: string
  /** Origin and path. */
  redirectUri: string
}

/** What the A rules and architecture.ts read: authorization requests and code exchanges seen, newest last. */
export interface OAuthFacts {
  authorizationRequests: readonly AuthorizationRequestFact[]
  codeExchanges: readonly CodeExchangeFact[]
  /** The strongest sign of a backend-for-frontend: the code went to a server that redeemed it out of the page's sight. */
  unredeemedCodes: readonly UnredeemedCodeFact[]
}

export interface OAuthFlowTracker {
  /** The event for one message; null for a weak response no request asked for. `tokenIdOf` names tokens already recorded. */
  observe(message: OAuthMessage, at: number, tokenIdOf: (value: string) => string | undefined): OAuthEvent | null
  facts(): OAuthFacts
  /** The round trips still in flight that the next page should know (see oauth-carry.ts). */
  inFlight(nowMs: number, limits?: CarryLimits): CarriedRoundTrip[]
  /** After `clear()`: takes carried round trips back; flows numbered after them. */
  resume(roundTrips: readonly CarriedRoundTrip[]): void
  clear(): void
}

interface Pending {
  flow: number
  redirectUri: string | null
  state: string | null
  nonce: string | null
}

interface RequestRecord extends Pending {
  fact: AuthorizationRequestFact
  stage: RoundTripStage
}

/** A round trip as it crosses to the next page: hashes only, like everything else the tracker keeps. */
export interface CarriedRoundTrip extends RequestRecord, RoundTripProgress {
  fingerprint: string
  /** Hashes of the codes its responses carried. */
  codes: string[]
}

export function createOAuthFlowTracker(maxFlows = 50): OAuthFlowTracker {
  const requests = new Map<string, RequestRecord>()
  const codes = new Map<string, number>()
  const exchanges = new Map<string, CodeExchangeFact>()
  let flows = 0

  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    map.delete(key)
    map.set(key, value)
    if (map.size > maxFlows) map.delete(map.keys().next().value as string)
  }
  const pendingFor = (redirectUri: string) => [...requests.values()].filter((r) => r.redirectUri === redirectUri)

  return {
    observe(message, at, tokenIdOf) {
      const idOf = (value: string | null) => (value ? (tokenIdOf(value) ?? null) : null)
      switch (message.type) {
        case 'authorization-request': {
          const fingerprint = hash64(`${message.endpoint}?${message.params}`)
          const known = requests.get(fingerprint)
          const flow = known?.flow ?? ++flows
          const fact: AuthorizationRequestFact = {
            flow,
            at: known?.fact.at ?? at,
            endpoint: message.endpoint,
            clientId: pageText(message.clientId),
            responseType: pageText(message.responseType),
            pkce: message.pkce,
            state: message.state !== null,
            nonce: message.nonce !== null,
            pushed: message.pushed,
          }
          const redirectUri = message.redirectUri === null ? null : originAndPath(message.redirectUri)
          remember(requests, fingerprint, { flow, redirectUri, state: hashOf(message.state), nonce: hashOf(message.nonce), fact, stage: known?.stage ?? 'requested' })
          return {
            kind: 'authorization-request',
            at,
            source: 'network',
            fingerprint,
            flow,
            endpoint: fact.endpoint,
            responseType: fact.responseType,
            clientId: fact.clientId,
            redirectUri,
            scope: message.scope === null ? null : pageText(message.scope),
            pkce: fact.pkce,
            state: fact.state,
            nonce: fact.nonce,
            pushed: fact.pushed,
          }
        }
        case 'authorization-response': {
          const candidates = pendingFor(message.redirectUri)
          if (message.weak && candidates.length === 0) return null
          const stateHash = hashOf(message.state)
          const matched = stateHash === null ? undefined : candidates.find((r) => r.state === stateHash)
          const request = matched ?? (candidates.length === 1 && stateHash === null ? candidates[0] : undefined)
          const state: StateCheck = message.state === null ? 'missing' : matched ? 'matches' : candidates.length > 0 ? 'mismatch' : 'unchecked'
          const flow = request?.flow ?? null
          if (message.code !== null && flow !== null) remember(codes, hash64(message.code), flow)
          if (request && request.stage !== 'done') request.stage = message.code !== null ? 'code' : 'done'
          return {
            kind: 'authorization-response',
            at,
            source: 'network',
            fingerprint: hash64([message.redirectUri, message.code, message.state, message.error, message.accessToken, message.idToken].join('\u0000')),
            flow,
            redirectUri: message.redirectUri,
            mode: message.mode,
            code: message.code !== null,
            error: message.error === null ? null : pageText(message.error),
            state,
            iss: message.iss !== null,
            frontChannel: message.frontChannel,
          }
        }
        case 'token-request': {
          const isCode = message.grantType === 'authorization_code'
          const flow = isCode && message.code !== null ? (codes.get(hash64(message.code)) ?? null) : null
          const fingerprint = hash64(`${message.endpoint}\u0000${message.body}\u0000${message.status}\u0000${at}`)
          if (isCode) remember(exchanges, fingerprint, { at, endpoint: message.endpoint, clientId: message.clientId === null ? null : pageText(message.clientId), codeVerifier: message.codeVerifier })
          const response = message.response
          const request = flow === null ? undefined : [...requests.values()].find((r) => r.flow === flow)
          if (request) request.stage = 'done'
          return {
            kind: 'token-response',
            at,
            source: 'network',
            fingerprint,
            flow,
            endpoint: message.endpoint,
            grantType: pageText(message.grantType),
            status: message.status,
            codeVerifier: isCode ? message.codeVerifier : null,
            idTokenId: idOf(response?.idToken ?? null),
            accessTokenId: idOf(response?.accessToken ?? null),
            refreshTokenId: idOf(response?.refreshToken ?? null),
            expiresIn: response?.expiresIn ?? null,
            tokenType: response?.tokenType ? pageText(response.tokenType) : null,
            nonce: nonceCheck(response?.idToken ?? null, request),
            error: response?.error ? pageText(response.error) : null,
          }
        }
        case 'revocation':
          return {
            kind: 'revocation',
            at,
            source: 'network',
            fingerprint: hash64(`${message.endpoint}\u0000${message.body}\u0000${message.status}\u0000${at}`),
            flow: null,
            endpoint: message.endpoint,
            tokenId: idOf(message.token),
            tokenTypeHint: message.tokenTypeHint === null ? null : pageText(message.tokenTypeHint),
            status: message.status,
          }
        case 'end-session':
          return {
            kind: 'end-session',
            at,
            source: 'network',
            fingerprint: hash64(`${message.endpoint}?${message.params}`),
            flow: null,
            endpoint: message.endpoint,
            idTokenId: idOf(message.idTokenHint),
            idTokenHint: message.idTokenHint !== null,
            postLogoutRedirectUri: message.postLogoutRedirectUri === null ? null : originAndPath(message.postLogoutRedirectUri),
            clientId: message.clientId === null ? null : pageText(message.clientId),
          }
      }
    },
    facts: () => ({
      authorizationRequests: [...requests.values()].map((r) => r.fact),
      codeExchanges: [...exchanges.values()],
      unredeemedCodes: [...requests.values()].flatMap((r) => (r.stage === 'code' && r.redirectUri !== null ? [{ flow: r.flow, endpoint: r.fact.endpoint, clientId: r.fact.clientId, redirectUri: r.redirectUri }] : [])),
    }),
    inFlight(nowMs, limits) {
      const roundTrips = [...requests].map(([fingerprint, record]): CarriedRoundTrip => ({
        ...record,
        fact: { ...record.fact },
        fingerprint,
        startedAt: record.fact.at,
        codes: [...codes].filter(([, flow]) => flow === record.flow).map(([code]) => code),
      }))
      return roundTripsToCarry(roundTrips, nowMs, limits)
    },
    resume(roundTrips) {
      for (const { fingerprint, codes: codeHashes, flow, redirectUri, state, nonce, fact, stage } of roundTrips) {
        remember(requests, fingerprint, { flow, redirectUri, state, nonce, fact: { ...fact }, stage })
        for (const code of codeHashes) remember(codes, code, flow)
        flows = Math.max(flows, flow)
      }
    },
    clear() {
      requests.clear()
      codes.clear()
      exchanges.clear()
      flows = 0
    },
  }
}

function nonceCheck(idToken: string | null, request: Pending | undefined): NonceCheck {
  if (idToken === null || !request) return 'unchecked'
  const inspection = inspectToken(idToken)
  const nonce = inspection.kind === 'jws' && typeof inspection.claims['nonce'] === 'string' ? inspection.claims['nonce'] : null
  if (nonce === null) return request.nonce === null ? 'unchecked' : 'absent'
  return hash64(nonce) === request.nonce ? 'matches' : 'mismatch'
}

function hashOf(value: string | null): string | null {
  return value === null ? null : hash64(value)
}

/** Where a redirect goes, without its query (which may carry state of its own). */
function originAndPath(url: string): string {
  const parsed = parseUrl(url)
  return parsed ? endpointOf(parsed) : pageText(url.split(/[?#]/)[0] ?? '')
}
