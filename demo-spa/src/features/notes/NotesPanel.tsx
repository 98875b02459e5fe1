import { useEffect, useState, type FormEvent } from 'react'
import { useDemo } from '../../app/demo-store.ts'
import { Panel } from '../../components/Panel.tsx'
import { MODES } from '../../modes.ts'
import { useNotes } from './notes-store.ts'

/** The protected resource: the signed-in user's notes, listed, added and deleted through the API. */
export function NotesPanel() {
  const via = useDemo((state) => state.connection.notes.via)
  const api = useDemo((state) => MODES[state.connection.mode].options.baseURL)
  const { items, error, load, add, remove, reset } = useNotes()
  const [draft, setDraft] = useState('')
  const [saving, setSaving] = useState(false)

  // Each sign-in starts from an empty list: nothing of the previous user or mode lingers.
  useEffect(() => {
    reset()
    void load()
    return reset
  }, [load, reset])

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setSaving(true)
    if (await add(draft.trim())) setDraft('')
    setSaving(false)
  }

  return (
    <Panel title="Your notes" tools={<span className="muted small">GET / POST / DELETE {api}/notes via {via}</span>}>
      {items === null && !error && <p className="muted">Loading notes…</p>}
      {items?.length === 0 && <p className="muted">No notes yet. Add one below.</p>}
      {items && items.length > 0 && (
        <ul className="notes" aria-label="Notes">
          {items.map((note) => (
            <li key={note.id}>
              <span>{note.text}</span>
              <button type="button" className="quiet" onClick={() => void remove(note)} aria-label={`Delete note: ${note.text}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <form className="add-note" onSubmit={submit}>
        <label>
          New note
          <input value={draft} onChange={(event) => setDraft(event.target.value)} maxLength={1000} />
        </label>
        <button type="submit" disabled={saving || !draft.trim()}>
          Add note
        </button>
      </form>
    </Panel>
  )
}
