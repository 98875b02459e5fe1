import { finding, type Finding, type RuleContext } from './types.ts'
import { describeToken } from './token-facts.ts'

/**
 * J13: the page fetched a JWK Set and the key it holds under the token's `kid` does not verify the
 * token's signature: the claims were altered, the token was minted by someone else, or the issuer
 * rotated its keys while old tokens are still in use. The check itself ran offline (verify.ts).
 */
export function signatureRules(ctx: RuleContext): Finding[] {
  const findings: Finding[] = []
  for (const token of ctx.tokens) {
    const check = ctx.signatures.get(token.id)
    if (check?.status !== 'mismatch') continue
    findings.push(finding('J13', token.id, {
      detail: `The signature does not match the key ${check.kid === null ? 'without kid' : `"${check.kid}"`} from ${check.url}, which the page fetched itself: these claims were not signed by that key. A server that verifies properly refuses the token; one that does not accepts forgeries.`,
      evidence: { text: describeToken(token), tokenId: token.id },
    }))
  }
  return findings
}
