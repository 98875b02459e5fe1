/**
 * The extension's pure core: no `chrome.*`, no DOM. The panel and the service worker import from
 * here; base64url.ts and json-scan.ts are internal to decoding.
 */
export { createInspector, type CarriedRoundTrips, type Inspector, type InspectorOptions, type InspectorSnapshot, type StorageKeyInfo, type TimelineEntry } from './inspector.ts'
export type { CookieObservation, ExchangeObservation, HeaderEntry, Observation, PageUrlObservation, SdkObservation, StorageArea, StorageObservation } from './observations.ts'
export {
  MAX_JSON_DEPTH,
  MAX_TOKEN_CHARS,
  SIGNATURE_NOT_VERIFIED,
  inspectStoredValue,
  inspectToken,
  isTokenLikeValue,
  looksLikeCompactJose,
  type DecodeNote,
  type JsonObject,
  type NotJwtReason,
  type TokenInspection,
} from './decode.ts'
export { detectTokens, type Direction, type ExchangeRef, type TokenPlace, type TokenSighting, type TokenSource } from './detect.ts'
export { createTokenRegistry, identityKey, tokenId, type PlaceRecord, type RecordOutcome, type RefreshDetected, type RoleBasis, type TokenRecord, type TokenRegistry, type TokenRole } from './identity.ts'
export {
  assessIssuedAtSkew,
  estimateServerClock,
  expiryView,
  formatDuration,
  numericDateMs,
  serverClockSample,
  type ClockEstimate,
  type ExpiryState,
  type ExpiryView,
  type ServerClockSample,
  type SkewAssessment,
} from './expiry.ts'
export { endpointOf, readOAuthExchange, readOAuthUrl, type OAuthMessage, type PkceMethod } from './oauth.ts'
export { createOAuthFlowTracker, type NonceCheck, type OAuthEvent, type OAuthFacts, type StateCheck } from './oauth-flow.ts'
export { readDpopRequest, readProof, type DpopProof, type DpopProofProblem, type DpopRequest } from './dpop.ts'
export { cnfJkt, createDpopTracker, type AthCheck, type DpopBinding, type DpopEvent, type DpopFacts, type DpopProofView, type TokenDpop } from './dpop-flow.ts'
export { jwkThumbprint } from './thumbprint.ts'
export { ARCHITECTURE_NAMES, detectArchitecture, type Architecture, type ArchitectureKind, type ArchitectureSignal, type Confidence, type SignalId } from './architecture.ts'
export { createPageRequestTracker, readPageRequest, type PageRequestFact, type RequestCredential } from './page-requests.ts'
export { classifyAuthEndpoint, createRetryTracker, dueExpirations, timelineKey, type TimelineEvent, type TimelineKind, type TimelineSource } from './timeline.ts'
export { DEFAULT_BUFFER_CAPACITY, createCappedBuffer, type CappedBuffer } from './buffer.ts'
export { cookieKey, describePartition, isAuthCookie, isDeletion, parseCookieHeader, parseSetCookie, type CookiePartitionKey, type CookieRecord, type SameSite } from './cookies.ts'
export { classifyClaim, sensitiveClaims, type ClaimClass } from './claims.ts'
export { checkSignature, type SignatureCheck } from './verify.ts'
export { createKeyStore, jwkSetKeys, type KeyStore, type ObservedKey, type PublicJwk } from './jwks.ts'
export { describeSessionCookie, isSessionCookieName, sessionCookieName, type SessionCookieName } from './session-cookies.ts'
export { buildRedactedExport, exportToJson, maskValue, redactClaims, redactCookie, redactToken, redactUrl, scrubText, type RedactedExport } from './redact.ts'
export { xssView, type Exposure, type XssView } from './xss-view.ts'
export { RULES, SEVERITY_ORDER, auditSync, runAudit, type AuditInput, type AuditOptions, type Evidence, type Finding, type RuleId, type Severity } from './audit/index.ts'
