import type { AuthClient } from '@authlens/sdk'
import { attachAuth, detachAuth } from '@authlens/sdk/axios'
import axios, { isAxiosError } from 'axios'

export interface Note {
  id: string
  text: string
  createdAt: string
}

export interface NotesApi {
  via: 'auth.fetch' | 'axios'
  list(): Promise<Note[]>
  add(text: string): Promise<Note>
  remove(id: string): Promise<void>
  dispose(): void
}

/** A refused API call, with the server's error code (`invalid_token`, `session_expired`, ...). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`the API answered ${status} ${code}`)
  }
}

const isNote = (value: unknown): value is Note =>
  typeof value === 'object' && value !== null && typeof (value as Note).id === 'string' && typeof (value as Note).text === 'string'

function readNotes(body: unknown): Note[] {
  const notes = (body as { notes?: unknown } | null)?.notes
  if (!Array.isArray(notes)) throw new ApiError(200, 'unexpected_answer')
  return notes.filter(isNote)
}

function readNote(body: unknown): Note {
  const note = (body as { note?: unknown } | null)?.note
  if (!isNote(note)) throw new ApiError(200, 'unexpected_answer')
  return note
}

const errorCode = (body: unknown): string => {
  const error = (body as { error?: unknown } | null)?.error
  return typeof error === 'string' ? error : 'error'
}

/**
 * Concurrent `list()` calls share one request: React's StrictMode runs mount effects twice in
 * development, and the event log should show what the app means to do, not that artefact.
 */
function sharedList(load: () => Promise<Note[]>): () => Promise<Note[]> {
  let running: Promise<Note[]> | undefined
  return () => (running ??= load().finally(() => (running = undefined)))
}

/** The notes API through `auth.fetch`: the SDK attaches the credential and retries once after a refresh. */
export function fetchNotesApi(auth: AuthClient): NotesApi {
  const call = async (path: string, init?: RequestInit): Promise<Response> => {
    const response = await auth.fetch(path, init)
    if (!response.ok) throw new ApiError(response.status, errorCode(await response.json().catch(() => null)))
    return response
  }
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  return {
    via: 'auth.fetch',
    list: sharedList(async () => readNotes(await (await call('/notes')).json())),
    add: async (text) => readNote(await (await call('/notes', json({ text }))).json()),
    remove: async (id) => void (await call(`/notes/${encodeURIComponent(id)}`, { method: 'DELETE' })),
    dispose: () => undefined,
  }
}

/**
 * The notes API through axios with `attachAuth`. axios uses its fetch adapter with the demo's
 * logging fetch, so its requests appear in the event log like every other.
 */
export function axiosNotesApi(auth: AuthClient, loggedFetch: typeof fetch): NotesApi {
  // withXSRFToken: false — the SDK decides which requests carry the CSRF header; axios's own
  // cookie-to-header copying would add it to every same-origin request, bearer ones included.
  const api = attachAuth(axios.create({ baseURL: '/api', adapter: 'fetch', env: { fetch: loggedFetch }, withXSRFToken: false }), auth)
  const call = async <T>(request: () => Promise<{ data: unknown }>, read: (body: unknown) => T): Promise<T> => {
    try {
      return read((await request()).data)
    } catch (error) {
      if (isAxiosError(error) && error.response) throw new ApiError(error.response.status, errorCode(error.response.data))
      throw error
    }
  }
  return {
    via: 'axios',
    list: sharedList(() => call(() => api.get('/notes'), readNotes)),
    add: (text) => call(() => api.post('/notes', { text }), readNote),
    remove: (id) => call(() => api.delete(`/notes/${encodeURIComponent(id)}`), () => undefined),
    dispose: () => detachAuth(api),
  }
}
