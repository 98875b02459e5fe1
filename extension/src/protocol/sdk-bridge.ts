import { DEVTOOLS_PANEL_SOURCE, DEVTOOLS_SOURCE, DEVTOOLS_VERSION, type DevtoolsMessage, type DevtoolsState } from '@authlens/sdk/devtools-protocol'
import { FieldError, bool, fail, id, num, numOrNull, obj, objOrNull, oneOf, str, strOrNull, type JsonRecord, type ParseResult } from './fields.ts'
import { isJsonRecord, sanitizeJson } from './sanitize.ts'

/**
 * Validation of the SDK bridge messages (`@authlens/sdk/devtools-protocol`, version 1) as the
 * content script receives them from `window.postMessage`. The page is untrusted: any script on it
 * can post a message that looks like the SDK's, so every field is checked and capped, and an
 * access token that arrives with a signature has it removed here (the SDK never sends one, S20).
 */

const STRATEGIES = ['jwt', 'session'] as const
const STATUSES = ['anonymous', 'authenticating', 'authenticated', 'refreshing'] as const
const EVENT_NAME = /^[a-z][a-z0-9:-]{0,39}$/
const YEAR_MS = 366 * 86_400_000
/**
 * The sanitiser cuts strings at 64 KiB; a token that long may have been cut, and a cut token would
 * decode as something it is not, so the reader refuses it rather than accept a truncated one.
 */
const MAX_TOKEN_CHARS = 64 * 1024 - 1

/** What the content script posts to the page to ask the SDK for its state again. */
export const SDK_HELLO = { source: DEVTOOLS_PANEL_SOURCE, type: 'hello' } as const

/** `header.payload.signature` → `header.payload.`: readable, not replayable. */
export function stripSignature(token: string): string {
  const parts = token.split('.')
  return parts.length === 3 ? `${parts[0]}.${parts[1]}.` : token
}

/** Cheap pre-check for the content script's `message` listener: is this worth parsing at all? */
export function looksLikeSdkMessage(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { source?: unknown }).source === DEVTOOLS_SOURCE
}

export function parseSdkMessage(raw: unknown): ParseResult<DevtoolsMessage> {
  const clean = sanitizeJson(raw)
  if (!clean.ok) return fail(clean.reason, clean.detail)
  const record = clean.value
  if (!isJsonRecord(record)) return fail('not-an-object', 'an SDK message is an object')
  if (record['source'] !== DEVTOOLS_SOURCE) return fail('wrong-source', `source must be "${DEVTOOLS_SOURCE}"`)
  if (record['version'] !== DEVTOOLS_VERSION) return fail('wrong-version', `version ${JSON.stringify(record['version'] ?? null)}; this panel reads version ${DEVTOOLS_VERSION}`)
  try {
    const message = readSdkMessage(record)
    return message ? { ok: true, message, truncated: clean.truncated } : fail('unknown-type', `type ${JSON.stringify(record['type'] ?? null)}`)
  } catch (error) {
    return fail('invalid-field', error instanceof FieldError ? error.message : 'unreadable message')
  }
}

/** Reads an already-sanitised record; also used for SDK messages nested in extension messages. */
export function readSdkMessage(record: JsonRecord): DevtoolsMessage | null {
  if (record['source'] !== DEVTOOLS_SOURCE || record['version'] !== DEVTOOLS_VERSION) throw new FieldError('source', `an SDK message, version ${DEVTOOLS_VERSION}`)
  const envelope = { source: DEVTOOLS_SOURCE as typeof DEVTOOLS_SOURCE, version: 1 as const, id: id(record), at: num(record, 'at', 0) }
  if (record['type'] === 'state') return { ...envelope, type: 'state', state: readState(obj(record, 'state')) }
  if (record['type'] === 'event') {
    const event = str(record, 'event', 40)
    if (!EVENT_NAME.test(event)) throw new FieldError('event', 'an event name')
    return { ...envelope, type: 'event', event, data: obj(record, 'data') }
  }
  return null
}

function readState(state: JsonRecord): DevtoolsState {
  const accessToken = strOrNull(state, 'accessToken', MAX_TOKEN_CHARS)
  return {
    strategy: oneOf(state, 'strategy', STRATEGIES),
    status: oneOf(state, 'status', STATUSES),
    storage: str(state, 'storage', 64),
    user: objOrNull(state, 'user'),
    expiresAt: numOrNull(state, 'expiresAt', 0),
    clockOffsetMs: num(state, 'clockOffsetMs', -YEAR_MS, YEAR_MS),
    accessToken: accessToken === null ? null : stripSignature(accessToken),
    hasRefreshToken: bool(state, 'hasRefreshToken'),
    baseURL: str(state, 'baseURL', 2048),
  }
}
