import type { JsonObject } from '../decode.ts'
import type { TokenRecord } from '../identity.ts'
import { scrubText } from '../redact.ts'

/** Shared helpers for the token rule families: narrowing to JWS, and describing a token safely. */

export interface JwsToken {
  token: TokenRecord
  header: JsonObject
  claims: JsonObject
  signature: string
}

export function jwsTokens(tokens: readonly TokenRecord[]): JwsToken[] {
  const out: JwsToken[] = []
  for (const token of tokens) {
    const { inspection } = token
    if (inspection.kind === 'jws') out.push({ token, header: inspection.header, claims: inspection.claims, signature: inspection.signature })
  }
  return out
}

/** "access token t1a2… (sub u1, iss https://issuer)": enough to find it, no value, no e-mail. */
export function describeToken(token: TokenRecord): string {
  const role = token.role === 'unknown' ? 'token' : token.role === 'session' ? 'session id' : token.role === 'id' ? 'ID token' : `${token.role} token`
  if (token.inspection.kind !== 'jws') return `${token.inspection.kind} ${role} ${token.id}`
  const { sub, iss } = token.inspection.claims
  const facts = [typeof sub === 'string' ? `sub ${scrubText(sub)}` : null, typeof iss === 'string' ? `iss ${scrubText(iss)}` : null].filter(Boolean)
  return `${role} ${token.id}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`
}

export function isSentAsBearer(token: TokenRecord): boolean {
  return token.places.some((p) => p.direction === 'sent' && p.place.source === 'authorization-header')
}
