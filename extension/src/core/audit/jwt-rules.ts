import { assessIssuedAtSkew, formatDuration, numericDateMs } from '../expiry.ts'
import { sensitiveClaims } from '../claims.ts'
import { finding, type Finding, type RuleContext } from './types.ts'
import { describeToken, isSentAsBearer, jwsTokens } from './token-facts.ts'

/**
 * Rules about what a JWT says about itself: J1 unsecured, J3 key material in the header, J4–J5
 * lifetime, J6 clock skew, J8 audience/issuer, J9 explicit typing, J10 disclosed claims.
 * (J2 needs WebCrypto and lives in weak-secret.ts; J7, J11, J12 are about transport.)
 */

/** RFC 8725 §3.10: a `kid` is a lookup key; path, URL or SQL syntax in it suggests injection. */
const SUSPICIOUS_KID = /[/\\]|\.\.|:\/\/|['";`]|--|\s|%|\0/
const KEY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const

export function jwtRules(ctx: RuleContext): Finding[] {
  const findings: Finding[] = []
  const toleranceMs = ctx.options.clockToleranceSeconds * 1000
  for (const { token, header, claims, signature } of jwsTokens(ctx.tokens)) {
    const who = describeToken(token)
    const evidence = { text: who, tokenId: token.id }
    const alg = typeof header['alg'] === 'string' ? header['alg'] : null

    // J1. E2 asks for critical on `alg: none`; an empty signature under another alg is high.
    if (alg !== null && alg.toLowerCase() === 'none') {
      findings.push(finding('J1', token.id, { severity: 'critical', detail: `"alg": "${alg}": the token carries no signature at all; a server that accepts it accepts anything (RFC 8725 §3.1).`, evidence }))
    } else if (signature === '' && token.unsignedElsewhere) {
      findings.push(finding('J1', token.id, { detail: `The signature segment is empty although "alg" is ${JSON.stringify(alg)}; only the SDK bridge strips signatures on purpose.`, evidence }))
    }

    // J3
    const named = KEY_HEADERS.filter((name) => name in header)
    const kid = header['kid']
    const kidProblem = kid === undefined ? null : typeof kid !== 'string' ? 'is not a string' : kid.length > 256 ? 'is over 256 characters' : SUSPICIOUS_KID.test(kid) ? 'contains path, URL or SQL syntax' : null
    if (named.length > 0 || kidProblem) {
      const parts = [named.length > 0 ? `header names key material (${named.join(', ')}): a verifier must never fetch or trust keys the token points to` : null, kidProblem ? `"kid" ${kidProblem}` : null]
      findings.push(finding('J3', token.id, { detail: `${parts.filter(Boolean).join('; ')}.`, evidence }))
    }

    const expMs = numericDateMs(claims['exp'])
    const iatMs = numericDateMs(claims['iat'])
    // J4. E7 asks for critical when an access token has no exp; other tokens keep J4's medium.
    if (expMs === null) {
      const access = token.role === 'access' || isSentAsBearer(token)
      findings.push(finding('J4', token.id, {
        severity: access ? 'critical' : 'medium',
        detail: access ? 'An access token without "exp" works forever once leaked; it cannot be contained by expiry.' : 'No "exp" claim: the token never expires by itself.',
        evidence,
      }))
    } else {
      // J5: without iat, the remaining lifetime at first sight is a lower bound of the full lifetime.
      const lifetimeMs = expMs - (iatMs ?? token.firstSeen)
      if (lifetimeMs > ctx.options.longLivedSeconds * 1000) {
        const very = lifetimeMs > ctx.options.veryLongLivedSeconds * 1000
        findings.push(finding('J5', token.id, {
          severity: very ? 'medium' : 'low',
          detail: `Lifetime ${formatDuration(lifetimeMs)}${iatMs === null ? ' or more' : ''} (exp − iat); above the ${formatDuration(ctx.options.longLivedSeconds * 1000)} threshold. Short access tokens plus refresh limit what a leaked token buys.`,
          evidence,
        }))
      }
    }

    // J6
    const skew = assessIssuedAtSkew(claims, token.firstSeen, ctx.clock, toleranceMs)
    if (skew.kind !== 'none') {
      const ahead = formatDuration(skew.aheadOfLocalMs)
      const detail = {
        'future-iat': `"${skew.claim}" is ${ahead} ahead of this computer's clock when the token was first seen; the local clock is behind, or the issuer's is ahead (no server Date header seen yet to tell which).`,
        'local-clock-behind': `"${skew.claim}" is ${ahead} ahead of this computer's clock but matches the server's Date header: this computer's clock is behind. Countdowns use the server-estimated clock.`,
        'issuer-clock-ahead': `"${skew.claim}" is ahead of the API server's Date header by ${formatDuration(skew.aheadOfServerMs ?? 0)}: the issuer's clock runs ahead; verifiers with little tolerance will reject the token.`,
      }[skew.kind]
      findings.push(finding('J6', token.id, { detail, evidence }))
    }

    // J8
    const missing = ['iss', 'aud'].filter((name) => claims[name] === undefined)
    if (missing.length > 0) {
      findings.push(finding('J8', token.id, { detail: `No ${missing.map((m) => `"${m}"`).join(' or ')}: a verifier cannot tell which issuer minted it or which API it is for, so it may be replayed elsewhere (RFC 8725 §3.8–3.9).`, evidence }))
    } else {
      const audiences = (Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']]).filter((a): a is string => typeof a === 'string')
      const audienceHosts = audiences.map(hostOf).filter((h): h is string => h !== null)
      const sentTo = token.places.filter((p) => p.direction === 'sent' && p.lastExchange).map((p) => ({ host: hostOf(p.lastExchange?.url ?? ''), exchange: p.lastExchange }))
      const mismatch = audienceHosts.length === audiences.length && audiences.length > 0 ? sentTo.find((s) => s.host !== null && !audienceHosts.includes(s.host)) : undefined
      if (mismatch?.exchange) {
        findings.push(finding('J8', `${token.id}:aud`, {
          detail: `"aud" names ${audienceHosts.join(', ')} but the token was sent to ${mismatch.host}; a server that checks aud will refuse it, one that does not accepts tokens meant for others.`,
          evidence: { ...evidence, request: { method: mismatch.exchange.method, url: mismatch.exchange.url } },
        }))
      }
    }

    // J9
    if ((token.role === 'access' || isSentAsBearer(token)) && typeof header['typ'] !== 'string') {
      findings.push(finding('J9', token.id, { detail: 'The access token has no "typ" header; "at+jwt" (RFC 9068) stops it being confused with an ID token or another JWT.', evidence }))
    }

    // J10
    const sensitive = sensitiveClaims(claims)
    if (sensitive.length > 0) {
      const names = (kind: string) => sensitive.filter((s) => s.class === kind).map((s) => s.name)
      const parts = [names('personal').length ? `personal data (${names('personal').join(', ')})` : null, names('secret').length ? `secret-looking claims (${names('secret').join(', ')})` : null]
      findings.push(finding('J10', token.id, {
        detail: `The claims hold ${parts.filter(Boolean).join(' and ')}. A JWS is only encoded: anyone who sees the token (logs, proxies, browser extensions) reads them.`,
        evidence,
      }))
    }
  }
  if (ctx.clock && Math.abs(ctx.clock.offsetMs) > toleranceMs + ctx.clock.uncertaintyMs) {
    const direction = ctx.clock.offsetMs > 0 ? 'behind' : 'ahead of'
    findings.push(finding('J6', 'clock', {
      detail: `This computer's clock is ${formatDuration(Math.abs(ctx.clock.offsetMs))} ${direction} the server's (from ${ctx.clock.samples} Date header${ctx.clock.samples === 1 ? '' : 's'}). Local countdowns are off by that much; AuthLens shows the server-estimated one too.`,
      evidence: { text: `server clock offset ${Math.round(ctx.clock.offsetMs)} ms ± ${Math.round(ctx.clock.uncertaintyMs)} ms` },
    }))
  }
  return findings
}

function hostOf(value: string): string | null {
  if (!/^https?:\/\//i.test(value)) return null
  try {
    return new URL(value).host.toLowerCase()
  } catch {
    return null
  }
}
