import { createAuthClient, type AuthClient } from '@authlens/sdk'
import { axiosNotesApi, fetchNotesApi, type NotesApi } from '../features/notes/notes-api.ts'
import { resumeSignInAcrossReloads } from '../features/sso/provider-sign-in.ts'
import { MODES, type ModeId } from '../modes.ts'
import { createLoggedFetch } from './logged-fetch.ts'
import { addLog } from './log-store.ts'
import { logSdkEvents } from './sdk-events.ts'

/** One auth client in one mode, with the notes API built on it. */
export interface Connection {
  mode: ModeId
  client: AuthClient
  notes: NotesApi
  /** The logging fetch, for requests made beside the SDK (a replayed refresh token). */
  fetch: typeof fetch
  dispose(): void
}

export function connect(mode: ModeId): Connection {
  const loggedFetch = createLoggedFetch()
  const client = createAuthClient({ ...MODES[mode].options, fetch: loggedFetch })
  const stopLogging = logSdkEvents(client)
  const stopResuming = MODES[mode].signIn === 'provider' ? resumeSignInAcrossReloads(client, 'a') : () => undefined
  const notes = MODES[mode].notesVia === 'axios' ? axiosNotesApi(client, loggedFetch) : fetchNotesApi(client)
  addLog({ source: 'demo', title: 'client created', detail: `${MODES[mode].label}; notes API through ${notes.via}`, tone: 'info' })
  return {
    mode,
    client,
    notes,
    fetch: loggedFetch,
    dispose() {
      notes.dispose()
      stopLogging()
      stopResuming()
      // Timers, BroadcastChannel, Web Lock waits and the devtools bridge go with it.
      client.destroy()
      addLog({ source: 'demo', title: 'client destroyed', detail: MODES[mode].label, tone: 'info' })
    },
  }
}
