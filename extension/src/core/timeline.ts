import type { TokenPlace } from './detect.ts'
import type { DpopEvent } from './dpop-flow.ts'
import type { ClockEstimate } from './expiry.ts'
import type { TokenRecord, TokenRole } from './identity.ts'
import type { OAuthEvent } from './oauth-flow.ts'

/**
 * The auth-event timeline: event types, their dedupe keys, and the two detectors that need memory
 * of earlier events: 401 → refresh → retry sequences, and `exp` passing while the page is open.
 * OAuth / OpenID Connect round trips have their own tracker (oauth-flow.ts), DPoP proofs theirs (dpop-flow.ts).
 */

export type TimelineSource = 'network' | 'storage' | 'cookies' | 'sdk' | 'clock'

interface EventBase {
  at: number
  source: TimelineSource
}

/**
 * A login or logout is one event however many places report it (the SDK's event, the request to
 * the login endpoint, a token or cookie cleared): `sources` lists them all, `source` the first.
 */
interface SessionChange {
  detail: string
  sources: TimelineSource[]
}

export type TimelineEvent =
  | (EventBase & SessionChange & { kind: 'login' })
  | (EventBase & { kind: 'token-issued'; tokenId: string; role: TokenRole; place: TokenPlace })
  | (EventBase & { kind: 'refresh-detected'; tokenId: string; previousTokenId: string })
  | (EventBase & { kind: 'unauthorized'; method: string; url: string; status: number; tokenId: string | null })
  | (EventBase & { kind: 'retry-after-refresh'; method: string; url: string; failedTokenId: string; refreshedTokenId: string; unauthorizedAt: number; refreshedAt: number })
  | (EventBase & SessionChange & { kind: 'logout' })
  | (EventBase & { kind: 'expired'; tokenId: string })
  | (EventBase & { kind: 'sdk-event'; messageId: string; name: string; data: Record<string, unknown> })
  | OAuthEvent
  | DpopEvent

export type TimelineKind = TimelineEvent['kind']

export type SessionChangeEvent = Extract<TimelineEvent, { kind: 'login' | 'logout' }>

/** Reports of one login or logout from different sources arrive within this of each other. */
export const SESSION_CHANGE_WINDOW_MS = 5000

/** Whether `report` is another source's account of `event`: same kind, close in time, a source it lacks. */
export function isSameSessionChange(event: TimelineEvent, report: SessionChangeEvent): event is SessionChangeEvent {
  return event.kind === report.kind && Math.abs(event.at - report.at) <= SESSION_CHANGE_WINDOW_MS && !event.sources.includes(report.source)
}

/** One event from two reports: every source, both details; the first report's time, which its key holds. */
export function mergeSessionChange<E extends SessionChangeEvent>(event: E, report: SessionChangeEvent): E {
  return { ...event, sources: [...event.sources, report.source], detail: `${event.detail} · ${report.detail}` }
}

/** Same event → same key, so a re-announced or re-read event is not shown twice (E12). */
export function timelineKey(event: TimelineEvent): string {
  switch (event.kind) {
    case 'token-issued':
    case 'expired':
      return `${event.kind}:${event.tokenId}`
    case 'refresh-detected':
      return `${event.kind}:${event.previousTokenId}>${event.tokenId}`
    case 'retry-after-refresh':
      return `${event.kind}:${event.failedTokenId}>${event.refreshedTokenId}:${event.method} ${event.url}`
    case 'unauthorized':
      return `${event.kind}:${event.at}:${event.method} ${event.url}`
    case 'sdk-event':
      return `${event.kind}:${event.messageId}`
    case 'login':
    case 'logout':
      return `${event.kind}:${event.source}:${event.at}`
    case 'authorization-request':
    case 'authorization-response':
    case 'token-response':
    case 'revocation':
    case 'end-session':
    case 'dpop-request':
      return `${event.kind}:${event.fingerprint}`
  }
}

export type AuthEndpoint = 'login' | 'logout' | 'refresh'

/** Guesses what an auth request does from its method, path and (form or JSON) grant type. */
export function classifyAuthEndpoint(method: string, url: string, body = ''): AuthEndpoint | null {
  if (method.toUpperCase() !== 'POST') return null
  let path: string
  try {
    path = new URL(url).pathname.toLowerCase()
  } catch {
    return null
  }
  if (/(^|\/)(log-?out|sign-?out|revoke|end[-_]?session)\/?$/.test(path)) return 'logout'
  if (/(^|\/)(refresh|refresh[-_]?token|token[-_]?refresh)\/?$/.test(path) || /grant_type["=:\s]+"?refresh_token/.test(body)) return 'refresh'
  if (/(^|\/)(log-?in|sign-?in|authenticate|session|token)\/?$/.test(path)) return 'login'
  return null
}

export interface RetryTracker {
  unauthorized(method: string, url: string, tokenId: string | null, at: number): void
  refreshed(tokenId: string, at: number): void
  /** A request went out with `tokenId`: completes a 401 → refresh → retry sequence if it matches. */
  request(method: string, url: string, tokenId: string, at: number): TimelineEvent | null
  clear(): void
}

/** 401 with token A on a URL, then a refresh issuing B, then the same URL with B, within `windowMs`. */
export function createRetryTracker(windowMs = 30_000, maxPending = 100): RetryTracker {
  const pending = new Map<string, { tokenId: string; at: number }>()
  const refreshes: Array<{ tokenId: string; at: number }> = []
  const requestKey = (method: string, url: string) => `${method.toUpperCase()} ${url.split(/[?#]/)[0]}`
  return {
    unauthorized(method, url, tokenId, at) {
      if (tokenId === null) return
      const key = requestKey(method, url)
      pending.delete(key)
      pending.set(key, { tokenId, at })
      if (pending.size > maxPending) pending.delete(pending.keys().next().value as string)
    },
    refreshed(tokenId, at) {
      refreshes.push({ tokenId, at })
      if (refreshes.length > maxPending) refreshes.shift()
    },
    request(method, url, tokenId, at) {
      const key = requestKey(method, url)
      const failed = pending.get(key)
      if (!failed || failed.tokenId === tokenId) return null
      if (at - failed.at > windowMs) {
        pending.delete(key)
        return null
      }
      const refresh = refreshes.find((r) => r.tokenId === tokenId && r.at >= failed.at && r.at <= at)
      if (!refresh) return null
      pending.delete(key)
      return {
        kind: 'retry-after-refresh',
        at,
        source: 'network',
        method: method.toUpperCase(),
        url,
        failedTokenId: failed.tokenId,
        refreshedTokenId: tokenId,
        unauthorizedAt: failed.at,
        refreshedAt: refresh.at,
      }
    },
    clear() {
      pending.clear()
      refreshes.length = 0
    },
  }
}

/**
 * Tokens whose `exp` passed in `(sinceMs, nowMs]` on the local clock. With a server clock estimate,
 * `exp` is converted to local time first: the server decides when a token stops working.
 */
export function dueExpirations(tokens: readonly TokenRecord[], sinceMs: number, nowMs: number, clock: ClockEstimate | null): TimelineEvent[] {
  const events: TimelineEvent[] = []
  for (const token of tokens) {
    if (token.inspection.kind !== 'jws') continue
    const exp = token.inspection.claims['exp']
    if (typeof exp !== 'number' || !Number.isFinite(exp)) continue
    const localExpiry = exp * 1000 - (clock?.offsetMs ?? 0)
    if (localExpiry > sinceMs && localExpiry <= nowMs) events.push({ kind: 'expired', at: localExpiry, source: 'clock', tokenId: token.id })
  }
  return events.sort((a, b) => a.at - b.at)
}
