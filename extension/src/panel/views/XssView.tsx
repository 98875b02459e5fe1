import { useMemo } from 'react'
import { xssView, type Exposure } from '../../core/index.ts'
import { Badge } from '../components/Badge.tsx'
import { usePanel } from '../context.tsx'
import { tokenLabel } from '../format.ts'

const EXPOSURE: Record<Exposure, { text: string; tone: 'bad' | 'warn' | 'good' | 'neutral' }> = {
  'readable-persistent': { text: 'readable by any script, and it persists', tone: 'bad' },
  'readable-in-memory': { text: 'readable by a script running while the page is open', tone: 'warn' },
  'http-only': { text: 'HttpOnly: scripts cannot read it (an XSS can still send requests that carry it)', tone: 'good' },
  'not-on-page': { text: 'not seen within reach of page scripts', tone: 'neutral' },
}

/** "What could an XSS on this page read?" Web Storage and JS-readable cookies vs HttpOnly ones. */
export function XssView() {
  const tokens = usePanel((s) => s.snapshot.tokens)
  const cookies = usePanel((s) => s.snapshot.cookies)
  const storage = usePanel((s) => s.snapshot.storage)
  const view = useMemo(() => xssView({ tokens, cookies, storage }), [tokens, cookies, storage])
  const byId = useMemo(() => new Map(tokens.map((t) => [t.id, t])), [tokens])
  return (
    <div className="xss">
      <section className="card">
        <h3>Readable by page JavaScript</h3>
        <h4>Web Storage</h4>
        {view.storage.length === 0 ? (
          <p className="muted">No Web Storage keys.</p>
        ) : (
          <ul>
            {view.storage.map((s) => (
              <li key={`${s.area}:${s.key}`} data-testid="xss-storage">
                <span className="mono">
                  {s.area} "{s.key}"
                </span>{' '}
                <span className="muted">({s.size} chars)</span> {s.holdsToken && <Badge tone="bad">holds a token</Badge>}
              </li>
            ))}
          </ul>
        )}
        <h4>Cookies without HttpOnly (document.cookie)</h4>
        {view.readableCookies.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul>
            {view.readableCookies.map((c) => (
              <li key={c.key} data-testid="xss-readable-cookie">
                <span className="mono">{c.name}</span> {c.auth && <Badge tone="bad">auth cookie</Badge>}
                {c.partition && <span className="muted"> {c.partition}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <h3>Not readable by page JavaScript (HttpOnly cookies)</h3>
        {view.httpOnlyCookies.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul>
            {view.httpOnlyCookies.map((c) => (
              <li key={c.key} data-testid="xss-httponly-cookie">
                <span className="mono">{c.name}</span> {c.auth && <Badge tone="good">auth cookie, HttpOnly</Badge>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <h3>Tokens</h3>
        {view.tokens.length === 0 ? (
          <p className="muted">No tokens seen.</p>
        ) : (
          <ul>
            {view.tokens.map(({ tokenId, exposure }) => (
              <li key={tokenId} data-testid="xss-token">
                {tokenLabel(byId.get(tokenId), tokenId)}: <Badge tone={EXPOSURE[exposure].tone}>{EXPOSURE[exposure].text}</Badge>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}
