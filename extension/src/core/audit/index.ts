/**
 * AuthLens audit: one lint over tokens and cookies together, offline, never sending anything.
 *
 *   types.ts            Finding, Severity, RuleId, the rule catalog (severity + reference per rule)
 *   token-facts.ts      helpers shared by the token rules (narrowing, describing without values)
 *   jwt-rules.ts        J1, J3–J6, J8–J10: what a JWT says about itself
 *   weak-secret.ts      J2: HS* secrets from a list of defaults, verified with WebCrypto (async)
 *   transport-rules.ts  J7, J11, J12: how tokens travel (expired but sent, in URLs, over http / to other sites)
 *   signature-rules.ts  J13: a signature the key the page fetched does not verify (checked in verify.ts)
 *   oauth-rules.ts      A1–A4: how the page signs in with OAuth / OpenID Connect (implicit flow, PKCE, state, ID token as bearer)
 *   dpop-rules.ts       P1–P3: DPoP (RFC 9449): a bound token sent as Bearer, a proof replayed, a proof that does not fit its request
 *   architecture-rules.ts F1, F2: a backend-for-frontend recognised (info), or the pattern broken by a token on the page
 *   storage-rules.ts    W1, W2: tokens in Web Storage (XSS-readable)
 *   cookie-rules.ts     C1–C6: auth cookie flags, scope and persistence, session id names; CHIPS partitions kept apart
 *
 * `auditSync` runs everything but J2 and is cheap enough to run on every change; `runAudit` adds J2.
 * Findings have stable ids (rule + subject), so the panel can replace its list without duplicates,
 * and no finding contains a token or cookie value: they go into the redacted export as they are.
 */
import { parseUrl } from '../origins.ts'
import { architectureRules } from './architecture-rules.ts'
import { cookieRules } from './cookie-rules.ts'
import { dpopRules } from './dpop-rules.ts'
import { jwtRules } from './jwt-rules.ts'
import { oauthRules } from './oauth-rules.ts'
import { signatureRules } from './signature-rules.ts'
import { storageRules } from './storage-rules.ts'
import { transportRules } from './transport-rules.ts'
import { DEFAULT_AUDIT_OPTIONS, RULES, SEVERITY_ORDER, type AuditInput, type Finding, type RuleContext } from './types.ts'
import { weakSecretRule } from './weak-secret.ts'

export { DEFAULT_AUDIT_OPTIONS, RULES, SEVERITY_ORDER } from './types.ts'
export type { AuditInput, AuditOptions, Evidence, Finding, RuleId, Severity } from './types.ts'
export { WEAK_SECRETS, findWeakSecret } from './weak-secret.ts'

export function auditSync(input: AuditInput): Finding[] {
  const ctx = contextOf(input)
  return sortFindings([...jwtRules(ctx), ...signatureRules(ctx), ...oauthRules(ctx), ...dpopRules(ctx), ...architectureRules(ctx), ...transportRules(ctx), ...storageRules(ctx), ...cookieRules(ctx)])
}

export async function runAudit(input: AuditInput, weakSecretCache?: Map<string, string | null>): Promise<Finding[]> {
  const ctx = contextOf(input)
  const weak = await weakSecretRule(ctx, weakSecretCache)
  return sortFindings([...auditSync(input), ...weak])
}

function contextOf(input: AuditInput): RuleContext {
  return {
    tokens: input.tokens,
    cookies: input.cookies,
    page: parseUrl(input.pageUrl),
    nowMs: input.nowMs,
    clock: input.clock ?? null,
    signatures: input.signatures ?? new Map(),
    oauth: input.oauth ?? { authorizationRequests: [], codeExchanges: [], unredeemedCodes: [] },
    dpop: input.dpop ?? { tokens: [], replays: [], misfits: [] },
    requests: input.requests ?? [],
    options: { ...DEFAULT_AUDIT_OPTIONS, ...input.options },
  }
}

const RULE_ORDER = Object.keys(RULES)

/** Most severe first, then in catalog order, then by subject. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      RULE_ORDER.indexOf(a.ruleId) - RULE_ORDER.indexOf(b.ruleId) ||
      a.id.localeCompare(b.id),
  )
}
