import type { DevtoolsMessage } from '@authlens/sdk/devtools-protocol'
import type { CookieRecord } from './cookies.ts'

/**
 * What the edges feed the core: one vocabulary for the network (a HAR entry from
 * `chrome.devtools.network`), Web Storage (read by the content script), the cookie jar
 * (`chrome.cookies`), the page URL and the SDK bridge. Times are local epoch milliseconds.
 */

export interface HeaderEntry {
  name: string
  value: string
}

export type StorageArea = 'localStorage' | 'sessionStorage'

export interface ExchangeObservation {
  kind: 'exchange'
  /** When the response was complete. */
  at: number
  /** When the request started; with `at` it bounds the server `Date` estimate. */
  sentAt?: number
  request: { method: string; url: string; headers: readonly HeaderEntry[]; body?: string }
  response: { status: number; headers: readonly HeaderEntry[]; body?: string }
}

export interface StorageObservation {
  kind: 'storage'
  at: number
  area: StorageArea
  key: string
  /** null: the key was removed. */
  value: string | null
}

export interface CookieObservation {
  kind: 'cookie'
  at: number
  cookie: CookieRecord
  removed: boolean
  /** `chrome.cookies.onChanged` cause; a server clearing a cookie shows as `expired_overwrite`. */
  cause?: 'explicit' | 'overwrite' | 'expired' | 'evicted' | 'expired_overwrite'
}

export interface PageUrlObservation {
  kind: 'page-url'
  at: number
  url: string
}

export interface SdkObservation {
  kind: 'sdk'
  at: number
  message: DevtoolsMessage
}

export type Observation = ExchangeObservation | StorageObservation | CookieObservation | PageUrlObservation | SdkObservation

export function headerValues(headers: readonly HeaderEntry[], name: string): string[] {
  const lower = name.toLowerCase()
  return headers.filter((h) => h.name.toLowerCase() === lower).map((h) => h.value)
}
