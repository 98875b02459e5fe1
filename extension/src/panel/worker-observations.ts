import { cookieKey, type CookieRecord } from '../core/cookies.ts'
import type { InspectorSnapshot } from '../core/inspector.ts'
import type { CookieObservation, Observation } from '../core/observations.ts'
import type { ContentMessage, WorkerMessage } from '../protocol/messages.ts'
import type { StorageEntry } from '../protocol/storage-snapshot.ts'

/**
 * Translates validated worker messages into the core's observations. Which messages are
 * authoritative matters for E12: after a service worker restart its snapshot is empty, so the
 * worker's `snapshot` only ever adds; only a page's own `storage-snapshot` (the whole of its Web
 * Storage) and a `cookies` list (the whole jar for the page) may remove what is no longer there.
 */

type Known = Pick<InspectorSnapshot, 'storage' | 'cookies'>

const CAUSES = ['explicit', 'overwrite', 'expired', 'evicted', 'expired_overwrite'] as const
type Cause = (typeof CAUSES)[number]
const causeOf = (cause: string): Cause | undefined => (CAUSES as readonly string[]).includes(cause) ? (cause as Cause) : undefined

function storageObservations(entries: readonly StorageEntry[], at: number, known: Known | null): Observation[] {
  const out: Observation[] = []
  const present = new Set<string>()
  for (const entry of entries) {
    present.add(`${entry.area}\u0000${entry.key}`)
    // null: too large to send; the key exists but its value is not inspected.
    if (entry.value !== null) out.push({ kind: 'storage', at, area: entry.area, key: entry.key, value: entry.value })
  }
  for (const info of known?.storage ?? []) {
    if (!present.has(`${info.area}\u0000${info.key}`)) out.push({ kind: 'storage', at, area: info.area, key: info.key, value: null })
  }
  return out
}

function pageObservations(message: ContentMessage, at: number, known: Known): Observation[] {
  switch (message.type) {
    case 'page-hello':
      return [{ kind: 'page-url', at, url: message.url }]
    case 'storage-snapshot':
      return storageObservations(message.entries, at, known)
    case 'storage-changed':
      return [{ kind: 'storage', at, area: message.entry.area, key: message.entry.key, value: message.removed ? null : message.entry.value }]
    case 'sdk':
      return [{ kind: 'sdk', at: message.message.at, message: message.message }]
  }
}

function cookieListObservations(cookies: readonly CookieRecord[], at: number, known: Known): CookieObservation[] {
  const present = new Set(cookies.map(cookieKey))
  const gone = known.cookies.filter((c) => !present.has(cookieKey(c)))
  // 'evicted', not 'explicit': a cookie missing from a fresh list is not evidence of a logout.
  return [...cookies.map((cookie) => ({ kind: 'cookie' as const, at, cookie, removed: false })), ...gone.map((cookie) => ({ kind: 'cookie' as const, at, cookie, removed: true, cause: 'evicted' as const }))]
}

export function workerObservations(message: WorkerMessage, at: number, known: Known): Observation[] {
  switch (message.type) {
    case 'snapshot':
      return [
        ...(message.url ? [{ kind: 'page-url' as const, at, url: message.url }] : []),
        ...storageObservations(message.storage, at, null),
        ...message.sdk.map((sdk) => ({ kind: 'sdk' as const, at: sdk.at, message: sdk })),
      ]
    case 'page':
      return pageObservations(message.message, at, known)
    case 'cookies':
      return cookieListObservations(message.cookies, at, known)
    case 'cookie-changed': {
      const cause = causeOf(message.cause)
      return [{ kind: 'cookie', at, cookie: message.cookie, removed: message.removed, ...(cause ? { cause } : {}) }]
    }
    case 'rescan':
    case 'sleep':
      return []
  }
}

/** The page URL a message reveals, if any: the panel asks for that page's cookies. */
export function pageUrlOf(message: WorkerMessage): string | null {
  if (message.type === 'snapshot') return message.url
  if (message.type === 'page' && (message.message.type === 'page-hello' || message.message.type === 'storage-snapshot')) return message.message.url
  return null
}

/** The page the panel started over for: its origin, and when the navigation to it was reported. */
export interface PageEpoch {
  origin: string
  since: number
}

/** onNavigated arrives a little after the commit; a new page cannot have posted before the commit. */
const NAVIGATION_REPORT_SLACK_MS = 1000

export function epochFor(url: string, navigatedAt: number): PageEpoch | null {
  try {
    return { origin: new URL(url).origin, since: navigatedAt - NAVIGATION_REPORT_SLACK_MS }
  } catch {
    return null
  }
}

/**
 * After the panel started over for a new page, what the old page said can still be in flight:
 * a content script re-announcing after a worker restart just before the navigation, or the
 * worker's copy of it. Page data from another origin, and SDK messages older than the navigation,
 * are dropped; everything else passes. Returns null when nothing is left.
 */
export function fromCurrentPage(message: WorkerMessage, epoch: PageEpoch | null): WorkerMessage | null {
  if (!epoch) return message
  const sameOrigin = (url: string | null) => {
    try {
      return url !== null && new URL(url).origin === epoch.origin
    } catch {
      return false
    }
  }
  if (message.type === 'snapshot') {
    const current = sameOrigin(message.url)
    return { ...message, url: current ? message.url : null, storage: current ? message.storage : [], sdk: message.sdk.filter((m) => m.at >= epoch.since) }
  }
  if (message.type !== 'page') return message
  const inner = message.message
  if (inner.type === 'sdk') return inner.message.at >= epoch.since ? message : null
  return sameOrigin(inner.url) ? message : null
}
