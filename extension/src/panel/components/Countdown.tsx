import { expiryView, formatDuration, type ClockEstimate, type JsonObject } from '../../core/index.ts'
import { relative } from '../format.ts'

/**
 * E19: remaining time by this machine's clock and by the server's (estimated from `Date`
 * headers). When they disagree, the server's decides: it is the one that will refuse the token.
 */
export function Countdown({ claims, now, clock }: { claims: JsonObject; now: number; clock: ClockEstimate | null }) {
  const view = expiryView(claims, now, clock)
  if (view.expiresAtMs === null) return <p className="countdown no-exp">No exp claim: this token never expires on its own.</p>
  const local = view.remainingLocalMs ?? 0
  return (
    <div className={`countdown state-${view.state}`} data-testid="countdown">
      <p className="countdown-main">
        {view.state === 'expired' ? 'Expired' : 'Expires'} <strong>{relative(view.basis === 'server' && view.remainingServerMs !== null ? view.remainingServerMs : local)}</strong>
        {view.lifetimeMs !== null && <span className="muted"> · lifetime {formatDuration(view.lifetimeMs)}</span>}
      </p>
      <p className="countdown-clocks muted">
        local clock: {relative(local)}
        {' · '}
        {view.remainingServerMs === null || !clock ? (
          'server clock: no Date header seen yet'
        ) : (
          <>
            server clock: {relative(view.remainingServerMs)} (±{(clock.uncertaintyMs / 1000).toFixed(1)} s, {clock.samples} {clock.samples === 1 ? 'sample' : 'samples'}
            {Math.abs(clock.offsetMs) >= 1000 ? `, server ${clock.offsetMs > 0 ? 'ahead' : 'behind'} by ${formatDuration(Math.abs(clock.offsetMs))}` : ''})
          </>
        )}
      </p>
    </div>
  )
}
