import { useState } from 'react'
import { useLog, type LogSource } from '../../app/log-store.ts'
import { Panel } from '../../components/Panel.tsx'
import { clockTime } from '../../lib/format.ts'

const SOURCE_LABEL: Record<LogSource, string> = { sdk: 'SDK', http: 'HTTP', demo: 'Demo' }

/**
 * Every SDK event (auth.on for each name), every request the SDK and axios sent, and what the
 * demo itself did, newest first: the sequence 401 → refresh → retry reads top to bottom reversed.
 */
export function EventLog() {
  const entries = useLog((state) => state.entries)
  const clear = useLog((state) => state.clear)
  const [showHttp, setShowHttp] = useState(true)
  const visible = entries.filter((entry) => showHttp || entry.source !== 'http').reverse()

  return (
    <Panel
      title="Event log"
      className="event-log"
      tools={
        <div className="tools">
          <label className="inline">
            <input type="checkbox" checked={showHttp} onChange={(event) => setShowHttp(event.target.checked)} /> Show requests
          </label>
          <button type="button" className="quiet" onClick={clear}>
            Clear log
          </button>
        </div>
      }
    >
      {visible.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ol className="log" aria-label="Event log entries" reversed tabIndex={0}>
          {visible.map((entry) => (
            <li key={entry.id} className={`tone-${entry.tone} source-${entry.source}`}>
              <time dateTime={new Date(entry.at).toISOString()}>{clockTime(entry.at)}</time>{' '}
              <span className="source">{SOURCE_LABEL[entry.source]}</span> <strong>{entry.title}</strong>
              {entry.detail && <span className="detail"> {entry.detail}</span>}
            </li>
          ))}
        </ol>
      )}
    </Panel>
  )
}
