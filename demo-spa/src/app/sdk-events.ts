import type { AuthClient, AuthEventName, AuthEvents } from '@authlens/sdk'
import { clockTime } from '../lib/format.ts'
import { addLog, type Tone } from './log-store.ts'

type Line = { detail: string; tone: Tone }

const serverTime = (ms: number | null) => (ms === null ? 'no expiry' : `valid until ${clockTime(ms)} (server time)`)

/**
 * One readable line per SDK event. The mapped type makes this exhaustive: an event the SDK adds
 * later fails to compile here instead of going unlogged.
 */
const FORMAT: { [K in AuthEventName]: (payload: AuthEvents[K]) => Line } = {
  login: ({ user }) => ({ detail: `as ${String(user.name ?? user.sub ?? 'someone')}`, tone: 'ok' }),
  logout: ({ reason }) => ({ detail: `reason: ${reason}`, tone: reason === 'user' ? 'info' : 'warn' }),
  refresh: ({ expiresAt }) => ({ detail: serverTime(expiresAt), tone: 'ok' }),
  'refresh-failed': ({ error }) => ({ detail: `${error.code}: ${error.message}`, tone: 'bad' }),
  expired: ({ reason }) => ({ detail: `reason: ${reason}`, tone: 'warn' }),
  unauthorized: ({ url, status }) => ({ detail: `${status} from ${new URL(url).pathname}`, tone: 'bad' }),
  'storage-fallback': ({ from, reason }) => ({ detail: `${from} unavailable (${reason}): using memory`, tone: 'warn' }),
  warning: ({ code, message }) => ({ detail: `${code}: ${message}`, tone: 'warn' }),
  'cross-tab': ({ type }) => ({ detail: `from another tab: ${type}`, tone: 'info' }),
  error: ({ error }) => ({ detail: `${error.code}: ${error.message}`, tone: 'bad' }),
}

export const EVENT_NAMES = Object.keys(FORMAT) as AuthEventName[]

function listen<K extends AuthEventName>(auth: AuthClient, name: K): () => void {
  return auth.on(name, (payload) => addLog({ source: 'sdk', title: name, ...FORMAT[name](payload) }))
}

/** Logs every SDK event (`auth.on` for each name); returns the unsubscribe. */
export function logSdkEvents(auth: AuthClient): () => void {
  const stops = EVENT_NAMES.map((name) => listen(auth, name))
  return () => stops.forEach((stop) => stop())
}
