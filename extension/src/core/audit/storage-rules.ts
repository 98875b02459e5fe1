import { finding, type Finding, type RuleContext } from './types.ts'
import { describeToken } from './token-facts.ts'

/**
 * W1/W2: tokens in Web Storage. Any script on the origin (an XSS payload, a compromised
 * dependency) reads them with one call, and unlike an HttpOnly cookie they can be carried off and
 * replayed from anywhere. OWASP's Session Management cheat sheet: "Do not store authentication
 * tokens in localStorage or sessionStorage". sessionStorage is scoped to one tab, hence lower.
 */

const XSS = 'Any script running on this origin (an XSS payload, a compromised npm dependency, an injected ad) can read it'

export function storageRules(ctx: RuleContext): Finding[] {
  const findings: Finding[] = []
  for (const token of ctx.tokens) {
    const local: string[] = []
    const session: string[] = []
    for (const { place } of token.places) {
      if (place.source === 'local-storage' || (place.source === 'sdk-bridge' && place.key === 'localStorage')) local.push(place.key)
      if (place.source === 'session-storage' || (place.source === 'sdk-bridge' && place.key === 'sessionStorage')) session.push(place.key)
    }
    const who = describeToken(token)
    if (local.length > 0) {
      findings.push(finding('W1', token.id, {
        detail: `Stored in localStorage (${keys(local)}). ${XSS} with localStorage.getItem and send it anywhere; it also survives closing the browser. Prefer memory plus an HttpOnly; Secure; SameSite refresh cookie, or a BFF.`,
        evidence: { text: who, tokenId: token.id },
      }))
    }
    if (session.length > 0) {
      findings.push(finding('W2', token.id, {
        detail: `Stored in sessionStorage (${keys(session)}). ${XSS} with sessionStorage.getItem while this tab is open.`,
        evidence: { text: who, tokenId: token.id },
      }))
    }
  }
  return findings
}

function keys(list: string[]): string {
  return [...new Set(list)].map((k) => `"${k}"`).join(', ')
}
