import { useAuthState } from '@authlens/sdk/react'
import { useEffect, useState } from 'react'
import { useDemo } from '../../app/demo-store.ts'
import { Claims } from '../../components/Claims.tsx'
import { clockTime } from '../../lib/format.ts'
import { readBffSession, type BffSessionFacts } from '../bff/bff-routes.ts'

/**
 * Where the tokens are in the BFF mode: in the BFF's session record, on the server. The page can
 * only ask the BFF about them (`GET /bff/session`), which answers expiries and yes or no, never a value.
 */
export function BffSessionDetails() {
  const connection = useDemo((state) => state.connection)
  const expiresAt = useAuthState((state) => state.expiresAt)
  // Read again when the server may have changed it: a new expiry, or a break-it action (it re-reads the stats).
  const backend = useDemo((state) => state.backend)
  const [facts, setFacts] = useState<BffSessionFacts | null>(null)

  useEffect(() => {
    let current = true
    readBffSession(connection.fetch).then(
      (value) => current && setFacts(value),
      () => current && setFacts(null),
    )
    return () => {
      current = false
    }
  }, [connection, expiresAt, backend])

  return (
    <div className="token bff-session">
      <h3>
        Where the tokens are <span className="badge">on the server</span>
      </h3>
      <p className="small">
        <strong>This page holds no token.</strong> The BFF keeps them in its session record; the page holds a session cookie it cannot read. What{' '}
        <code>GET /bff/session</code> says about that record:
      </p>
      {facts ? (
        <dl className="claims" aria-label="BFF session record">
          <div>
            <dt>Access token</dt>
            <dd>held by the BFF, expires {clockTime(facts.accessTokenExpiresAt)} server time; the BFF refreshes it at the provider</dd>
          </div>
          <div>
            <dt>Refresh token</dt>
            <dd>{facts.refreshToken ? 'held by the BFF, never sent to this page' : 'none (no offline_access granted)'}</dd>
          </div>
          <div>
            <dt>Session</dt>
            <dd>
              idle expiry {clockTime(facts.expiresAt)}, absolute {clockTime(facts.absoluteExpiresAt)} (server time)
            </dd>
          </div>
        </dl>
      ) : (
        <p className="muted small">The BFF describes no session.</p>
      )}
      {facts && <Claims values={facts.user} />}
    </div>
  )
}
