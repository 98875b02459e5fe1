import type { Connection } from '../../app/connect.ts'
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
