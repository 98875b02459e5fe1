import type { Connection } from '../../app/connect.ts'
import { serverNow } from '../../app/demo-store.ts'
import { entriesSince, type LogEntry } from '../../app/log-store.ts'
import { useNotes } from '../notes/notes-store.ts'

/** Requests logged since `mark`, as result lines: what the server actually answered. */
export const httpLines = (mark: number): string[] => entriesSince(mark, 'http').map((entry: LogEntry) => `→ ${entry.title} (${entry.detail ?? ''})`)

export const sawStatus = (mark: number, status: number): boolean => entriesSince(mark, 'http').some((entry) => entry.status === status)

export const isSignedIn = (connection: Connection): boolean => {
  const { status } = connection.client.getState()
  return status === 'authenticated' || status === 'refreshing'
}

/** One protected request: the notes list, which the notes panel then shows. */
export const probeNotes = (): Promise<{ ok: boolean; failure?: string }> => useNotes.getState().load()

/** Whole seconds the current access token has left on the server's clock, or `?` when none is held. */
export const secondsLeft = (connection: Connection): string => {
  const { expiresAt } = connection.client.getState()
  return expiresAt === null ? '?' : String(Math.max(0, Math.round((expiresAt - serverNow()) / 1000)))
}
