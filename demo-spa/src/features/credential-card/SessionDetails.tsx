import { useAuthState } from '@authlens/sdk/react'
import { Claims } from '../../components/Claims.tsx'

/** A session id means nothing to the browser: who is signed in comes from the server's answer. */
export function SessionDetails() {
  const user = useAuthState((state) => state.user)
  if (!user) return null
  return (
    <div className="token">
      <h3>Session</h3>
      <p className="muted small">
        Opaque id, nothing to decode. The user below is what <code>GET /api/session</code> answered.
      </p>
      <Claims values={user} />
    </div>
  )
}
