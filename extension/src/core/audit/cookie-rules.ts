import { describePartition, isAuthCookie, isHostOnly, type CookieRecord } from '../cookies.ts'
import { inspectToken } from '../decode.ts'
import { formatDuration, numericDateMs } from '../expiry.ts'
import { sessionCookieName } from '../session-cookies.ts'
import { finding, type Evidence, type Finding, type RuleContext } from './types.ts'

/**
 * C1–C6 over the cookie jar (`chrome.cookies` records, HttpOnly ones included), for cookies that
 * hold a credential (see cookies.ts `isAuthCookie`; the CSRF cookie is JS-readable by design).
 * Session id cookies (session-cookies.ts) get OWASP's session rules besides: kept out of the disk
 * (C5) and not under the framework's default name (C6).
 * One finding per missing flag (E6). CHIPS: a partitioned cookie is a separate cookie per top-level
 * site, so the partition is part of each finding's subject and evidence.
 */

const DAY_MS = 86_400_000

export function cookieRules(ctx: RuleContext): Finding[] {
  const findings: Finding[] = []
  const https = ctx.page?.protocol === 'https:'
  for (const cookie of ctx.cookies) {
    if (!isAuthCookie(cookie)) continue
    const subject = cookieSubject(cookie)
    const evidence = cookieEvidence(cookie)

    // C1
    if (!cookie.httpOnly) {
      findings.push(finding('C1', subject, {
        detail: `"${cookie.name}" has no HttpOnly: any script on the page reads it through document.cookie, so one XSS hands over the session.`,
        evidence,
      }))
    }
    // C2
    if (!cookie.secure && https) {
      findings.push(finding('C2', subject, { detail: `"${cookie.name}" has no Secure on an https site: a single http request (a typed URL, a downgrade) sends it in clear text.`, evidence }))
    }
    // C3
    if (cookie.sameSite === 'no_restriction' && !cookie.secure) {
      findings.push(finding('C3', subject, { detail: `"${cookie.name}" is SameSite=None without Secure: sent on cross-site requests, over http too (browsers now reject this combination).`, evidence }))
    } else if (cookie.sameSite === 'unspecified') {
      findings.push(finding('C3', subject, {
        severity: 'medium',
        detail: `"${cookie.name}" sets no SameSite: Chrome defaults to Lax (with a 2-minute exception for top-level POSTs), other browsers may send it cross-site. Set SameSite=Lax or Strict explicitly.`,
        evidence,
      }))
    }
    // C4
    const reasons: string[] = []
    if (!cookie.name.startsWith('__Host-')) reasons.push('no __Host- prefix (which guarantees Secure, Path=/ and no Domain)')
    if (!isHostOnly(cookie)) reasons.push(`Domain=${cookie.domain} shares it with every subdomain`)
    if (reasons.length > 0) findings.push(finding('C4', subject, { detail: `"${cookie.name}": ${reasons.join('; ')}.`, evidence }))
    // C5
    const session = sessionCookieName(cookie.name)
    const c5 = overPersistence(cookie, ctx.nowMs, ctx.options.cookieMaxPersistDays, ctx.options.clockToleranceSeconds * 1000, session !== null)
    if (c5) findings.push(finding('C5', subject, { detail: `"${cookie.name}": ${c5}`, evidence }))
    // C6
    if (session?.framework) {
      findings.push(finding('C6', subject, {
        detail: `"${cookie.name}" is the default session cookie name of ${session.framework}: it tells an attacker what runs the site. A neutral name such as "id" gives nothing away.`,
        evidence,
      }))
    }
  }
  return findings
}

function overPersistence(cookie: CookieRecord, nowMs: number, maxDays: number, toleranceMs: number, sessionId: boolean): string | null {
  if (cookie.session || cookie.expirationDate === undefined) return null
  const cookieExpiry = cookie.expirationDate * 1000
  const reasons: string[] = []
  // OWASP: session ids belong in non-persistent cookies, gone when the browser closes.
  if (sessionId) reasons.push('a session id in a persistent cookie (Expires/Max-Age) stays on disk after the browser closes')
  if (cookieExpiry - nowMs > maxDays * DAY_MS) reasons.push(`persists for ${formatDuration(cookieExpiry - nowMs)}, beyond ${maxDays} days`)
  const inspection = inspectToken(cookie.value)
  const jwtExpiry = inspection.kind === 'jws' ? numericDateMs(inspection.claims['exp']) : null
  if (jwtExpiry !== null && cookieExpiry > jwtExpiry + toleranceMs) {
    reasons.push(`outlives the JWT it carries by ${formatDuration(cookieExpiry - jwtExpiry)}, so the browser keeps sending a dead token`)
  }
  return reasons.length > 0 ? `${reasons.join('; ')}.` : null
}

function cookieSubject(cookie: CookieRecord): string {
  const partition = cookie.partitionKey ? `#${cookie.partitionKey.topLevelSite ?? '?'}${cookie.partitionKey.hasCrossSiteAncestor ? '+x' : ''}` : ''
  return `${cookie.name}@${cookie.domain}${cookie.path}${partition}`
}

function cookieEvidence(cookie: CookieRecord): Evidence {
  const partition = describePartition(cookie)
  const flags = [cookie.httpOnly ? 'HttpOnly' : null, cookie.secure ? 'Secure' : null, `SameSite=${cookie.sameSite}`, cookie.session ? 'session' : null].filter(Boolean).join('; ')
  return {
    text: `cookie ${cookie.name} (${cookie.domain}${cookie.path}; ${flags}${partition ? `; ${partition}` : ''})`,
    cookie: { name: cookie.name, domain: cookie.domain, path: cookie.path, ...(partition ? { partition } : {}) },
  }
}
