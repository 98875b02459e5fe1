import { useAuthState } from '@authlens/sdk/react'
import { serverNow, useDemo } from '../../app/demo-store.ts'
import { clockTime, countdown, signedSeconds } from '../../lib/format.ts'
import { useNow } from '../../lib/use-now.ts'

/**
 * Time left on the credential, ticking. `expiresAt` is in the server's time, so "now" is the
 * server's too: with the backend's clock skewed on purpose, this computer's clock would lie.
 */
export function ExpiryCountdown({ session }: { session: boolean }) {
  const expiresAt = useAuthState((state) => state.expiresAt)
  const status = useAuthState((state) => state.status)
  const offset = useDemo((state) => state.backend?.clockOffsetSeconds ?? 0)
  useNow(1000)
  if (expiresAt === null) return <p className="muted">No expiry known.</p>
  const left = expiresAt - serverNow()
  return (
    <div className="countdown">
      <p>
        {session ? 'Session idle expiry' : 'Access token expires'} in{' '}
        <strong role="timer" className={left < 10_000 ? 'soon' : ''} aria-label="Time left">
          {countdown(left)}
        </strong>{' '}
        <span className="muted">
          at <time dateTime={new Date(expiresAt).toISOString()}>{clockTime(expiresAt)}</time> server time
        </span>
      </p>
      <p className="muted small">
        {session
          ? 'The server slides this forward on every request; nothing is renewed in the browser.'
          : status === 'refreshing'
            ? 'Refreshing now…'
            : 'The SDK refreshes about 10 s before expiry (its leeway), so requests never meet an expired token.'}
        {offset !== 0 && ` Server clock: ${signedSeconds(offset)} s against this computer's.`}
      </p>
    </div>
  )
}
