import { useAuthState } from '@authlens/sdk/react'
import { Claims } from '../../components/Claims.tsx'

/**
 * OpenID Connect: the ID token says who signed in, to this app (`aud` is its client id); it is
 * never sent to the API. The SDK keeps its claims as the user.
 */
export function IdTokenDetails({ refreshTokenIn }: { refreshTokenIn: string }) {
  const user = useAuthState((state) => state.user)
  if (!user) return null
  return (
    <>
      <div className="token id-token">
        <h3>
          ID token <span className="badge">for this app, not for the API</span>
        </h3>
        <p className="muted small">
          Who signed in, when and where: its claims are the SDK’s user. The SDK checked its issuer, audience, nonce and expiry at sign-in, not its
          signature: it came straight from the token endpoint (OIDC Core §3.1.3.7). A refresh brings no new one, so it keeps these.
        </p>
        <Claims values={Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined))} />
      </div>
      <p className="small">
        <strong>Refresh token</strong>: held in {refreshTokenIn}. Its value is not shown.
      </p>
    </>
  )
}
