import { isAuthError } from '@authlens/sdk'
import { create } from 'zustand'
import { useDemo } from '../../app/demo-store.ts'
import { ApiError, type Note } from './notes-api.ts'

export const failureText = (error: unknown): string =>
  error instanceof ApiError ? `${error.status} ${error.code}` : isAuthError(error) ? error.code : 'request failed'

interface NotesState {
  items: Note[] | null
  error: string | null
  /** Loads the list; break-it actions use it as their "one protected request". */
  load(): Promise<{ ok: boolean; failure?: string }>
  add(text: string): Promise<boolean>
  remove(note: Note): Promise<void>
  reset(): void
}

const api = () => useDemo.getState().connection.notes

/**
 * The notes list lives here rather than in the panel so that a break-it action's request and the
 * list a person sees are one and the same request.
 */
export const useNotes = create<NotesState>()((set) => ({
  items: null,
  error: null,
  async load() {
    try {
      set({ items: await api().list(), error: null })
      return { ok: true }
    } catch (error) {
      // The answer was for a user another tab has since replaced: the new user's list is loading.
      if (isAuthError(error, 'user_changed')) return { ok: false, failure: failureText(error) }
      set({ error: `Could not load the notes: ${failureText(error)}.` })
      return { ok: false, failure: failureText(error) }
    }
  },
  async add(text) {
    try {
      const note = await api().add(text)
      set((state) => ({ items: [...(state.items ?? []), note], error: null }))
      return true
    } catch (error) {
      set({ error: `Could not add the note: ${failureText(error)}.` })
      return false
    }
  },
  async remove(note) {
    try {
      await api().remove(note.id)
      set((state) => ({ items: (state.items ?? []).filter((item) => item.id !== note.id), error: null }))
    } catch (error) {
      set({ error: `Could not delete the note: ${failureText(error)}.` })
    }
  },
  reset: () => set({ items: null, error: null }),
}))
