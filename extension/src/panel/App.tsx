import type { ReactElement } from 'react'
import { Toolbar } from './components/Toolbar.tsx'
import { usePanel } from './context.tsx'
import type { PanelState, ViewId } from './store.ts'
import { AuditView } from './views/AuditView.tsx'
import { CookiesView } from './views/CookiesView.tsx'
import { TimelineView } from './views/TimelineView.tsx'
import { TokensView } from './views/TokensView.tsx'
import { XssView } from './views/XssView.tsx'

const VIEWS: ReadonlyArray<{ id: ViewId; label: string; count?: (s: PanelState) => number; render: () => ReactElement }> = [
  { id: 'tokens', label: 'Tokens', count: (s) => s.snapshot.tokens.length, render: () => <TokensView /> },
  { id: 'cookies', label: 'Cookies', count: (s) => s.snapshot.cookies.length, render: () => <CookiesView /> },
  { id: 'timeline', label: 'Timeline', count: (s) => s.snapshot.timeline.length, render: () => <TimelineView /> },
  { id: 'audit', label: 'Audit', count: (s) => s.findings.length, render: () => <AuditView /> },
  { id: 'xss', label: 'XSS view', render: () => <XssView /> },
]

function Tab({ id, label, count }: { id: ViewId; label: string; count: ((s: PanelState) => number) | undefined }) {
  const active = usePanel((s) => s.view === id)
  const setView = usePanel((s) => s.setView)
  const n = usePanel((s) => (count ? count(s) : null))
  return (
    <button type="button" role="tab" aria-selected={active} className={active ? 'tab active' : 'tab'} onClick={() => setView(id)}>
      {label}
      {n !== null && <span className="count">{n}</span>}
    </button>
  )
}

export function App() {
  const view = usePanel((s) => s.view)
  const current = VIEWS.find((v) => v.id === view) ?? VIEWS[0]
  return (
    <div className="app">
      <Toolbar />
      <nav className="tabs" role="tablist">
        {VIEWS.map((v) => (
          <Tab key={v.id} id={v.id} label={v.label} count={v.count} />
        ))}
      </nav>
      <main className="view" role="tabpanel" aria-label={current?.label}>
        {current?.render()}
      </main>
    </div>
  )
}
