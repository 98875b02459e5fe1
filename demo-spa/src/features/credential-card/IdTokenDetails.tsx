import { useAuthState } from '@authlens/sdk/react'
import { Claims } from '../../components/Claims.tsx'
import type { DemoMode } from '../../modes.ts'

/**
 * OpenID Connect: the ID token says who signed in, to this app (`aud` is its client id); it is
 * never sent to the API. The SDK checked it at sign-in (issuer, audience, nonce, expiry) and
 * keeps its claims as the user.
 */
export function IdTokenDetails({ mode }: { mode: DemoMode }) {
  const user = useAuthState((state) => state.user)
  const refresh = mode.holds.find((holding) => holding.what === 'Refresh token')
  if (!user) return null
  return (
    <>
      <div className="token id-token">
        <h3>
          ID token <span className="badge">for this app, not for the API</span>
        </h3>
        <p className="muted small">Who signed in, when and where: its claims are the SDK’s user. A refresh brings no new one, so it keeps these.</p>
        <Claims values={Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined))} />
      </div>
      {refresh && (
        <p className="small">
          <strong>Refresh token</strong>: held in {refresh.where}. Its value is not shown.
        </p>
      )}
    </>
  )
}
