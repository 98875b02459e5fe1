import { useAuthState } from '@authlens/sdk/react'
import { useId, useState } from 'react'
import { useDemo } from '../../app/demo-store.ts'
import { addLog } from '../../app/log-store.ts'
import { MODES } from '../../modes.ts'
import type { BreakAction } from './types.ts'

/** One break-it action: what it does and why, its button, and what happened the last time. */
export function ActionCard({ action }: { action: BreakAction }) {
  const connection = useDemo((state) => state.connection)
  const result = useDemo((state) => state.results[action.id])
  const running = useDemo((state) => state.running)
  const signedIn = useAuthState((state) => state.status === 'authenticated' || state.status === 'refreshing')
  const [choice, setChoice] = useState(action.choices?.options[0]?.value ?? '')
  const headingId = useId()
  const mode = MODES[connection.mode]
  const unavailable = action.unavailable(mode, signedIn)

  const run = async () => {
    const { setRunning, setResult } = useDemo.getState()
    setRunning(action.id)
    addLog({ source: 'demo', title: `Break it: ${action.title}`, tone: 'info' })
    try {
      setResult(action.id, await action.run({ connection, mode, choice }))
    } catch (error) {
      setResult(action.id, { tone: 'bad', summary: `The action could not run: ${error instanceof Error ? error.message : String(error)}`, steps: [] })
    } finally {
      setRunning(null)
    }
  }

  return (
    <section className="action" aria-labelledby={headingId}>
      <h3 id={headingId}>{action.title}</h3>
      <p>{action.explain}</p>
      <div className="action-controls">
        {action.choices && (
          <label className="inline">
            {action.choices.label}{' '}
            <select value={choice} onChange={(event) => setChoice(event.target.value)}>
              {action.choices.options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" onClick={run} disabled={unavailable !== null || running !== null}>
          {running === action.id ? 'Running…' : action.button}
        </button>
        {unavailable && <span className="muted small">{unavailable}</span>}
      </div>
      <div role="status" className={result ? `result tone-${result.tone}` : 'result empty'}>
        {result && (
          <>
            <p className="summary">{result.summary}</p>
            {result.steps.length > 0 && (
              <ul className="steps">
                {result.steps.map((step, index) => (
                  <li key={index}>{step}</li>
                ))}
              </ul>
            )}
            {result.evidence && (
              <pre className="evidence" role="region" aria-label="What the script could send" tabIndex={0}>
                {result.evidence}
              </pre>
            )}
          </>
        )}
      </div>
    </section>
  )
}
