import { BackendError } from './errors.ts'
import { randomToken } from './random.ts'
import type { Clock } from './clock.ts'

export interface Note {
  id: string
  text: string
  createdAt: string
}

export const MAX_NOTE_LENGTH = 1000
const MAX_NOTES_PER_USER = 200

/** Per-user notes: the protected resource the demo reads and writes. */
export class Notes {
  private readonly byUser = new Map<string, Note[]>()

  constructor(private readonly clock: Clock) {}

  list(userId: string): Note[] {
    return [...(this.byUser.get(userId) ?? [])]
  }

  create(userId: string, text: unknown): Note {
    if (typeof text !== 'string' || text.trim() === '') throw new BackendError('invalid_request', '"text" must be a non-empty string')
    if (text.length > MAX_NOTE_LENGTH) throw new BackendError('invalid_request', `"text" is longer than ${MAX_NOTE_LENGTH} characters`)
    const notes = this.byUser.get(userId) ?? []
    if (notes.length >= MAX_NOTES_PER_USER) throw new BackendError('invalid_request', `at most ${MAX_NOTES_PER_USER} notes per user`)
    const note = { id: randomToken(9), text, createdAt: new Date(this.clock.now()).toISOString() }
    this.byUser.set(userId, [...notes, note])
    return note
  }

  /** Another user's note is indistinguishable from a missing one (404), so ids leak nothing. */
  delete(userId: string, id: string): void {
    const notes = this.byUser.get(userId) ?? []
    if (!notes.some((note) => note.id === id)) throw new BackendError('not_found', 'no such note')
    this.byUser.set(
      userId,
      notes.filter((note) => note.id !== id),
    )
  }

  clear(): void {
    this.byUser.clear()
  }
}
