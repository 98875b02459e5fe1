import { useEffect } from 'react'
import { useDemo } from '../../app/demo-store.ts'
import { addLog } from '../../app/log-store.ts'
import { mockControls } from '../../app/mock-controls.ts'
import { Panel } from '../../components/Panel.tsx'
import { signedSeconds } from '../../lib/format.ts'
import { ActionCard } from './ActionCard.tsx'
import { BREAK_ACTIONS } from './actions/index.ts'

/** Puts the server back: real clock, no delay, no pending refresh failure. */
async function undoFaults(): Promise<void> {
  await Promise.all([mockControls.setClockOffset(0), mockControls.setLatency(0), mockControls.failRefresh(0, '500')])
  await useDemo.getState().syncBackend()
  addLog({ source: 'demo', title: 'Server faults undone', detail: 'clock 0 s, latency 0 ms, no pending refresh failure', tone: 'info' })
}

/** Faults injected on purpose, each with what happens, why, and the visible result. */
export function BreakItPanel() {
  const backend = useDemo((state) => state.backend)
  const syncBackend = useDemo((state) => state.syncBackend)
  useEffect(() => {
    void syncBackend()
  }, [syncBackend])

  const faults = backend
    ? [
        backend.clockOffsetSeconds !== 0 && `clock ${signedSeconds(backend.clockOffsetSeconds)} s`,
        backend.latencyMs > 0 && `latency ${backend.latencyMs} ms`,
        backend.pendingRefreshFailures > 0 && `${backend.pendingRefreshFailures} refresh failure(s) pending`,
      ].filter((fault): fault is string => typeof fault === 'string')
    : []

  return (
    <Panel
      title="Break it"
      className="break-it"
      tools={
        <div className="tools">
          <span className="muted small">Server: {faults.length ? faults.join(', ') : 'no faults'}</span>
          <button type="button" className="quiet" onClick={() => void undoFaults()}>
            Undo server faults
          </button>
        </div>
      }
    >
      <div className="actions">
        {BREAK_ACTIONS.map((action) => (
          <ActionCard key={action.id} action={action} />
        ))}
      </div>
    </Panel>
  )
}
