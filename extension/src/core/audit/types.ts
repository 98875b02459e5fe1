import type { CookieRecord } from '../cookies.ts'
import type { TokenPlace } from '../detect.ts'
import type { ClockEstimate } from '../expiry.ts'
import type { TokenRecord } from '../identity.ts'
import type { DpopFacts } from '../dpop-flow.ts'
import type { OAuthFacts } from '../oauth-flow.ts'
import type { PageRequestFact } from '../page-requests.ts'
import type { SignatureCheck } from '../verify.ts'

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info'

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info']

export type RuleId = 'J1' | 'J2' | 'J3' | 'J4' | 'J5' | 'J6' | 'J7' | 'J8' | 'J9' | 'J10' | 'J11' | 'J12' | 'J13' | 'A1' | 'A2' | 'A3' | 'A4' | 'P1' | 'P2' | 'P3' | 'F1' | 'F2' | 'W1' | 'W2' | 'C1' | 'C2' | 'C3' | 'C4' | 'C5' | 'C6'

/** What a finding points at. Never a token value or a cookie value: findings are exported. */
export interface Evidence {
  text: string
  tokenId?: string
  cookie?: { name: string; domain: string; path: string; partition?: string }
  place?: TokenPlace
  /** URLs are redacted: token-like query and fragment parameters masked. */
  request?: { method: string; url: string }
}

export interface Finding {
  /** Stable across runs: rule + subject, so a re-run replaces rather than duplicates. */
  id: string
  ruleId: RuleId
  severity: Severity
  title: string
  detail: string
  evidence: Evidence
  reference: string
}

export interface AuditOptions {
  /** J5: `exp − iat` above this is long-lived (low); above `veryLongLivedSeconds`, medium. */
  longLivedSeconds: number
  veryLongLivedSeconds: number
  /** J6, J7: clock tolerance, as jose's `clockTolerance`. */
  clockToleranceSeconds: number
  /** C5: a persistent auth cookie expiring later than this is over-persistent. */
  cookieMaxPersistDays: number
  /** J2: extra secrets to try besides the built-in list. */
  extraWeakSecrets: readonly string[]
}

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = {
  longLivedSeconds: 3600,
  veryLongLivedSeconds: 86_400,
  clockToleranceSeconds: 60,
  cookieMaxPersistDays: 30,
  extraWeakSecrets: [],
}

export interface AuditInput {
  tokens: readonly TokenRecord[]
  cookies: readonly CookieRecord[]
  /** The inspected page: its scheme decides C2, its site decides third-party (E9). */
  pageUrl?: string
  nowMs: number
  clock?: ClockEstimate | null
  /** Signature checks against the keys the page fetched (verify.ts), by token id. */
  signatures?: ReadonlyMap<string, SignatureCheck>
  /** Authorization requests and code exchanges the page made (oauth-flow.ts). */
  oauth?: OAuthFacts
  /** DPoP bindings, proof jti replays and proofs that do not fit their request (dpop-flow.ts). */
  dpop?: DpopFacts
  /** The page's API calls and how each was authenticated (page-requests.ts): F1, F2. */
  requests?: readonly PageRequestFact[]
  options?: Partial<AuditOptions>
}

export interface RuleContext {
  tokens: readonly TokenRecord[]
  cookies: readonly CookieRecord[]
  page: URL | null
  nowMs: number
  clock: ClockEstimate | null
  signatures: ReadonlyMap<string, SignatureCheck>
  oauth: OAuthFacts
  dpop: DpopFacts
  requests: readonly PageRequestFact[]
  options: AuditOptions
}

/** The rule catalog the Audit view lists: default severity and grounding for each rule. */
export const RULES: Readonly<Record<RuleId, { title: string; severity: Severity; reference: string }>> = {
  J1: { title: 'Unsecured JWT', severity: 'high', reference: 'RFC 8725 §3.1; OWASP JWT Cheat Sheet' },
  J2: { title: 'Weak HMAC secret', severity: 'high', reference: 'RFC 8725 §3.5; OWASP JWT Cheat Sheet' },
  J3: { title: 'Key material named by the token', severity: 'medium', reference: 'RFC 8725 §3.10' },
  J4: { title: 'No expiry', severity: 'medium', reference: 'OWASP JWT Cheat Sheet; OWASP Session Management Cheat Sheet' },
  J5: { title: 'Long-lived token', severity: 'low', reference: 'OWASP Session Management Cheat Sheet (session timeouts)' },
  J6: { title: 'Clock skew', severity: 'info', reference: 'RFC 7519 §4.1.5–4.1.6; jose clockTolerance' },
  J7: { title: 'Expired token still sent', severity: 'medium', reference: 'RFC 7519 §4.1.4' },
  J8: { title: 'Missing or mismatched audience/issuer', severity: 'low', reference: 'RFC 8725 §3.8–3.9' },
  J9: { title: 'No explicit typing', severity: 'info', reference: 'RFC 8725 §3.11; RFC 9068 §2.1' },
  J10: { title: 'Personal or secret data in claims', severity: 'medium', reference: 'OWASP JWT Cheat Sheet (token information disclosure)' },
  J11: { title: 'Token in a URL', severity: 'medium', reference: 'RFC 6750 §5.3; RFC 9700 §4.3.2' },
  J12: { title: 'Bearer token exposed in transit', severity: 'high', reference: 'RFC 6750 §5.3; OWASP Session Management Cheat Sheet' },
  J13: { title: 'Signature does not match the published key', severity: 'high', reference: 'RFC 7515 §5.2; RFC 8725 §3.1' },
  A1: { title: 'Implicit flow: tokens in the URL', severity: 'high', reference: 'RFC 9700 §2.1.2; OAuth 2.1 §10.1; OAuth 2.0 for Browser-Based Applications' },
  A2: { title: 'Authorization code without PKCE', severity: 'high', reference: 'RFC 9700 §2.1.1; RFC 7636 §4.2' },
  A3: { title: 'Authorization request without state', severity: 'medium', reference: 'RFC 9700 §4.7.1; RFC 6749 §10.12' },
  A4: { title: 'ID token used as an access token', severity: 'high', reference: 'OpenID Connect Core 1.0 §2; RFC 9068 §4; RFC 8725 §3.11' },
  P1: { title: 'DPoP-bound token sent as Bearer', severity: 'high', reference: 'RFC 9449 §7.2 (security case D10)' },
  P2: { title: 'DPoP proof replayed', severity: 'medium', reference: 'RFC 9449 §11.1' },
  P3: { title: 'DPoP proof does not fit its request', severity: 'medium', reference: 'RFC 9449 §4.3, §7' },
  F1: { title: 'Backend-for-frontend: tokens stay on the server', severity: 'info', reference: 'OAuth 2.0 for Browser-Based Applications §6.1; OWASP Session Management Cheat Sheet' },
  F2: { title: 'A token reached the page: a token-mediating backend, not a BFF', severity: 'medium', reference: 'OAuth 2.0 for Browser-Based Applications §6.2, §6.1; OWASP Session Management Cheat Sheet' },
  W1: { title: 'Token in localStorage', severity: 'medium', reference: 'OWASP Session Management Cheat Sheet; OWASP HTML5 Security Cheat Sheet' },
  W2: { title: 'Token in sessionStorage', severity: 'low', reference: 'OWASP Session Management Cheat Sheet; OWASP HTML5 Security Cheat Sheet' },
  C1: { title: 'Auth cookie readable by JavaScript', severity: 'high', reference: 'OWASP Session Management Cheat Sheet (HttpOnly)' },
  C2: { title: 'Auth cookie without Secure', severity: 'high', reference: 'OWASP Session Management Cheat Sheet (Secure)' },
  C3: { title: 'Weak SameSite', severity: 'high', reference: 'RFC 6265bis §5.6.7; OWASP Session Management Cheat Sheet' },
  C4: { title: 'Cookie scope too broad', severity: 'low', reference: 'RFC 6265bis §4.1.3 (cookie prefixes); OWASP Session Management Cheat Sheet' },
  C5: { title: 'Over-persistent auth cookie', severity: 'low', reference: 'OWASP Session Management Cheat Sheet (expire and max-age)' },
  C6: { title: 'Framework-default session id name', severity: 'info', reference: 'OWASP Session Management Cheat Sheet (session ID name fingerprinting)' },
}

export function finding(ruleId: RuleId, subject: string, parts: { severity?: Severity; title?: string; detail: string; evidence: Evidence }): Finding {
  const rule = RULES[ruleId]
  return {
    id: `${ruleId}:${subject}`,
    ruleId,
    severity: parts.severity ?? rule.severity,
    title: parts.title ?? rule.title,
    detail: parts.detail,
    evidence: parts.evidence,
    reference: rule.reference,
  }
}
