import { redactUrl } from '../../core/index.ts'
import { usePanel } from '../context.tsx'
import { downloadText } from '../download.ts'

const CONNECTION_TEXT = { connecting: 'connecting…', connected: 'connected', reconnecting: 'reconnecting…', closed: 'disconnected: reopen DevTools' } as const

export function Toolbar() {
  // An OAuth callback's URL holds the authorization code: a credential until redeemed.
  const pageUrl = usePanel((s) => (s.snapshot.pageUrl === null ? null : redactUrl(s.snapshot.pageUrl)))
  const connection = usePanel((s) => s.connection)
  const transportKind = usePanel((s) => s.transportKind)
  const preserveLog = usePanel((s) => s.preserveLog)
  const setPreserveLog = usePanel((s) => s.setPreserveLog)
  const exportJson = usePanel((s) => s.exportJson)
  return (
    <header className="toolbar">
      <strong className="brand">AuthLens</strong>
      {transportKind === 'fake' && <span className="badge tone-warn">demo data (vite dev)</span>}
      <span className="page mono" title={pageUrl ?? ''}>
        {pageUrl ?? 'waiting for the page…'}
      </span>
      <span className={`connection conn-${connection}`} data-testid="connection">
        {CONNECTION_TEXT[connection]}
      </span>
      <label className="preserve">
        <input type="checkbox" checked={preserveLog} onChange={(e) => setPreserveLog(e.currentTarget.checked)} /> Preserve log
      </label>
      <button type="button" onClick={() => downloadText(`authlens-redacted-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, exportJson())} title="Signatures stripped, personal claims and cookie values masked">
        Export redacted JSON
      </button>
    </header>
  )
}
