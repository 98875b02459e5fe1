import type { DevtoolsMessage } from '@authlens/sdk/devtools-protocol'
import type { CookieRecord } from '../core/cookies.ts'
import { FieldError, arr, asRecord, bool, fail, id, int, num, obj, oneOf, str, strOrNull, url, type JsonRecord, type ParseResult } from './fields.ts'
import { isJsonRecord, sanitizeJson, type JsonValue } from './sanitize.ts'
import { readSdkMessage } from './sdk-bridge.ts'
import { MAX_STORAGE_KEY_CHARS, MAX_STORAGE_VALUE_CHARS, type StorageEntry } from './storage-snapshot.ts'

/**
 * Messages between the content script, the service worker and the DevTools panel, version 1.
 * Every message has a fixed `source` literal per sender, a `version` and an `id`, and is validated
 * on receipt by `parseMessage(raw, from)`, where `from` is what the channel proves (the port or
 * `runtime.onMessage` sender), never what the message claims. Each sender may send only its own
 * types (E17): a content script, which the page can talk to, can announce page data but can never
 * ask for cookies or state; only the panel asks.
 */

export const PROTOCOL_VERSION = 1

export const SOURCES = { content: 'authlens-content', worker: 'authlens-worker', panel: 'authlens-panel' } as const
export type Sender = keyof typeof SOURCES

interface Envelope<S extends Sender> {
  source: (typeof SOURCES)[S]
  version: typeof PROTOCOL_VERSION
  id: string
}

export type ContentMessage = Envelope<'content'> &
  (
    | { type: 'page-hello'; url: string }
    | { type: 'storage-snapshot'; url: string; entries: StorageEntry[] }
    | { type: 'storage-changed'; url: string; entry: StorageEntry; removed: boolean }
    | { type: 'sdk'; message: DevtoolsMessage }
  )

export type PanelMessage = Envelope<'panel'> &
  (
    | { type: 'subscribe'; tabId: number }
    | { type: 'request-snapshot'; tabId: number }
    | { type: 'request-cookies'; tabId: number; url: string }
    /** The inspected page navigated and preserve log is off: drop the tab's state. */
    | { type: 'reset'; tabId: number }
  )

export type WorkerMessage = Envelope<'worker'> &
  (
    | { type: 'snapshot'; tabId: number; url: string | null; storage: StorageEntry[]; sdk: DevtoolsMessage[] }
    | { type: 'page'; tabId: number; message: ContentMessage }
    | { type: 'cookies'; tabId: number; url: string; cookies: CookieRecord[] }
    | { type: 'cookie-changed'; tabId: number; cookie: CookieRecord; removed: boolean; cause: string }
    /** To the content script: read storage again and ask the SDK to re-announce (after a restart). */
    | { type: 'rescan' }
    /** To the content script: no panel inspects the tab any more; stop watching and disconnect. */
    | { type: 'sleep' }
  )

export type MessageFrom<S extends Sender> = { content: ContentMessage; panel: PanelMessage; worker: WorkerMessage }[S]
export type ExtensionMessage = ContentMessage | PanelMessage | WorkerMessage

/** E17: what each sender may send. Checked against the union at compile time below. */
export const ALLOWED_TYPES = {
  content: ['page-hello', 'storage-snapshot', 'storage-changed', 'sdk'],
  panel: ['subscribe', 'request-snapshot', 'request-cookies', 'reset'],
  worker: ['snapshot', 'page', 'cookies', 'cookie-changed', 'rescan', 'sleep'],
} as const satisfies { [S in Sender]: ReadonlyArray<MessageFrom<S>['type']> }
type Exhaustive<S extends Sender> = MessageFrom<S>['type'] extends (typeof ALLOWED_TYPES)[S][number] ? true : never
const exhaustive: [Exhaustive<'content'>, Exhaustive<'panel'>, Exhaustive<'worker'>] = [true, true, true]
void exhaustive

export function envelope<S extends Sender>(sender: S, messageId: string): Envelope<S> {
  return { source: SOURCES[sender], version: PROTOCOL_VERSION, id: messageId }
}

export function parseMessage<S extends Sender>(raw: unknown, from: S): ParseResult<MessageFrom<S>> {
  const clean = sanitizeJson(raw)
  if (!clean.ok) return fail(clean.reason, clean.detail)
  if (!isJsonRecord(clean.value)) return fail('not-an-object', 'a message is an object')
  const record = clean.value
  if (record['source'] !== SOURCES[from]) return fail('wrong-source', `a ${from} channel carries source "${SOURCES[from]}", not ${JSON.stringify(record['source'] ?? null)}`)
  if (record['version'] !== PROTOCOL_VERSION) return fail('wrong-version', `version ${JSON.stringify(record['version'] ?? null)}; expected ${PROTOCOL_VERSION}`)
  const type = record['type']
  if (typeof type !== 'string' || !(ALLOWED_TYPES[from] as readonly string[]).includes(type)) {
    const elsewhere = Object.values(ALLOWED_TYPES).some((types) => (types as readonly string[]).includes(String(type)))
    return elsewhere ? fail('not-allowed', `a ${from} may not send "${String(type)}"`) : fail('unknown-type', `type ${JSON.stringify(type ?? null)}`)
  }
  try {
    const readers: { [K in Sender]: (r: JsonRecord) => MessageFrom<K> } = { content: readContent, panel: readPanel, worker: readWorker }
    return { ok: true, message: readers[from](record), truncated: clean.truncated }
  } catch (error) {
    return fail('invalid-field', error instanceof FieldError ? error.message : 'unreadable message')
  }
}

function readContent(r: JsonRecord): ContentMessage {
  const base = envelope('content', id(r))
  switch (r['type']) {
    case 'page-hello':
      return { ...base, type: 'page-hello', url: url(r, 'url') }
    case 'storage-snapshot':
      return { ...base, type: 'storage-snapshot', url: url(r, 'url'), entries: arr(r, 'entries').map((e, i) => readStorageEntry(e, `entries[${i}]`)) }
    case 'storage-changed':
      return { ...base, type: 'storage-changed', url: url(r, 'url'), entry: readStorageEntry(r['entry'], 'entry'), removed: bool(r, 'removed') }
    case 'sdk': {
      const message = readSdkMessage(obj(r, 'message'))
      if (!message) throw new FieldError('message', 'an SDK state or event message')
      return { ...base, type: 'sdk', message }
    }
  }
  throw new FieldError('type', 'a content message type')
}

function readPanel(r: JsonRecord): PanelMessage {
  const base = envelope('panel', id(r))
  const tabId = int(r, 'tabId')
  switch (r['type']) {
    case 'subscribe':
    case 'request-snapshot':
    case 'reset':
      return { ...base, type: r['type'], tabId }
    case 'request-cookies':
      return { ...base, type: 'request-cookies', tabId, url: url(r, 'url') }
  }
  throw new FieldError('type', 'a panel message type')
}

function readWorker(r: JsonRecord): WorkerMessage {
  const base = envelope('worker', id(r))
  if (r['type'] === 'rescan' || r['type'] === 'sleep') return { ...base, type: r['type'] }
  const tabId = int(r, 'tabId')
  switch (r['type']) {
    case 'snapshot': {
      const pageUrl = strOrNull(r, 'url', 8192)
      if (pageUrl !== null) url(r, 'url')
      const sdk = arr(r, 'sdk').map((m, i) => readSdkMessage(asRecord(m, `sdk[${i}]`)))
      if (sdk.includes(null)) throw new FieldError('sdk', 'SDK state or event messages')
      return { ...base, type: 'snapshot', tabId, url: pageUrl, storage: arr(r, 'storage').map((e, i) => readStorageEntry(e, `storage[${i}]`)), sdk: sdk as DevtoolsMessage[] }
    }
    case 'page': {
      const inner = obj(r, 'message')
      if (inner['source'] !== SOURCES.content) throw new FieldError('message', 'a content script message')
      return { ...base, type: 'page', tabId, message: readContent(inner) }
    }
    case 'cookies':
      return { ...base, type: 'cookies', tabId, url: url(r, 'url'), cookies: arr(r, 'cookies').map((c, i) => readCookie(c, `cookies[${i}]`)) }
    case 'cookie-changed':
      return { ...base, type: 'cookie-changed', tabId, cookie: readCookie(r['cookie'], 'cookie'), removed: bool(r, 'removed'), cause: str(r, 'cause', 40) }
  }
  throw new FieldError('type', 'a worker message type')
}

function readStorageEntry(value: JsonValue | undefined, field: string): StorageEntry {
  const r = asRecord(value, field)
  return {
    area: oneOf(r, 'area', ['localStorage', 'sessionStorage'] as const),
    key: str(r, 'key', MAX_STORAGE_KEY_CHARS),
    value: strOrNull(r, 'value', MAX_STORAGE_VALUE_CHARS),
    size: int(r, 'size'),
  }
}

/** `chrome.cookies.Cookie` fields AuthLens uses; browsers cap name + value at 4096 bytes. */
function readCookie(value: JsonValue | undefined, field: string): CookieRecord {
  const r = asRecord(value, field)
  const cookie: CookieRecord = {
    name: str(r, 'name', 4096),
    value: str(r, 'value', 4096),
    domain: str(r, 'domain', 255),
    path: str(r, 'path', 1024),
    secure: bool(r, 'secure'),
    httpOnly: bool(r, 'httpOnly'),
    sameSite: oneOf(r, 'sameSite', ['no_restriction', 'lax', 'strict', 'unspecified'] as const),
    session: bool(r, 'session'),
  }
  if (r['hostOnly'] !== undefined) cookie.hostOnly = bool(r, 'hostOnly')
  if (r['expirationDate'] !== undefined) cookie.expirationDate = num(r, 'expirationDate', 0)
  if (r['partitionKey'] !== undefined) {
    const key = obj(r, 'partitionKey')
    cookie.partitionKey = {
      ...(key['topLevelSite'] === undefined ? {} : { topLevelSite: str(key, 'topLevelSite', 255) }),
      ...(key['hasCrossSiteAncestor'] === undefined ? {} : { hasCrossSiteAncestor: bool(key, 'hasCrossSiteAncestor') }),
    }
  }
  return cookie
}
