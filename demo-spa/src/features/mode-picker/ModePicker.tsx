import { useDemo } from '../../app/demo-store.ts'
import { MODE_IDS, MODES } from '../../modes.ts'

/**
 * The "Auth mode" picker. Choosing a mode destroys the current client and creates one for the
 * new mode; the mode goes into the URL so a reload or a second tab opens in it.
 */
export function ModePicker() {
  const mode = useDemo((state) => state.connection.mode)
  const switchMode = useDemo((state) => state.switchMode)
  return (
    <fieldset className="mode-picker">
      <legend>Auth mode</legend>
      <div className="mode-options">
        {MODE_IDS.map((id) => (
          <label key={id} className={id === mode ? 'mode-option selected' : 'mode-option'} title={MODES[id].unavailable}>
            <input type="radio" name="auth-mode" value={id} checked={id === mode} disabled={MODES[id].unavailable !== undefined} onChange={() => switchMode(id)} />
            <span>
              {MODES[id].label}
              {MODES[id].unavailable && <span className="small muted"> (unavailable: {MODES[id].unavailable})</span>}
            </span>
          </label>
        ))}
      </div>
      <p className="mode-summary">
        {MODES[mode].summary} <span className="muted">Notes API through {MODES[mode].notesVia === 'axios' ? 'axios + @authlens/sdk/axios' : 'auth.fetch'}.</span>
      </p>
    </fieldset>
  )
}
