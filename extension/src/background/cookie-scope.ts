import type { CookieRecord } from '../core/cookies.ts'

/**
 * Which cookies belong to an inspected page. `chrome.cookies.getAll({ url })` leaves out cookies
 * scoped to another path (a refresh cookie on `/api/auth` is invisible from `/`), so the worker
 * also asks by domain; this decides what to keep and which `onChanged` events to forward.
 */

export function cookieBelongsToHost(cookie: Pick<CookieRecord, 'domain'>, hostname: string): boolean {
  const domain = cookie.domain.replace(/^\./, '').toLowerCase()
  const host = hostname.toLowerCase()
  return host === domain || host.endsWith(`.${domain}`) || domain.endsWith(`.${host}`)
}

export function hostOf(url: string | null): string | null {
  if (!url) return null
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.hostname : null
  } catch {
    return null
  }
}

/** `chrome.cookies.Cookie` → the fields the protocol carries (drops `storeId`, keeps CHIPS keys). */
export function toCookieRecord(cookie: chrome.cookies.Cookie): CookieRecord {
  const record: CookieRecord = {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    hostOnly: cookie.hostOnly,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    sameSite: cookie.sameSite,
    session: cookie.session,
  }
  if (cookie.expirationDate !== undefined) record.expirationDate = cookie.expirationDate
  if (cookie.partitionKey) {
    record.partitionKey = {
      ...(cookie.partitionKey.topLevelSite === undefined ? {} : { topLevelSite: cookie.partitionKey.topLevelSite }),
      ...(cookie.partitionKey.hasCrossSiteAncestor === undefined ? {} : { hasCrossSiteAncestor: cookie.partitionKey.hasCrossSiteAncestor }),
    }
  }
  return record
}
