import type { Dpop } from '@authlens/sdk/dpop'
import { useAuth, useAuthState } from '@authlens/sdk/react'
import { useEffect, useState } from 'react'
import { Claims } from '../../components/Claims.tsx'
import { abbreviate, decodeJwt } from '../../lib/jwt.ts'
import { KeyBinding } from './KeyBinding.tsx'

/** `cnf.jkt` (RFC 9449 §6.1), read defensively: these claims are unverified input. */
const confirmedKey = (claims: Record<string, unknown>): unknown =>
  typeof claims.cnf === 'object' && claims.cnf !== null ? (claims.cnf as Record<string, unknown>).jkt : undefined

/**
 * The access token the SDK holds right now, decoded here in the browser. Decoding is reading, not
 * checking: only the server, with its key, can verify the signature.
 */
export function TokenDetails({ dpop }: { dpop?: Dpop | undefined }) {
  const auth = useAuth()
  const expiresAt = useAuthState((state) => state.expiresAt)
  const signedIn = useAuthState((state) => state.status === 'authenticated' || state.status === 'refreshing')
  const [token, setToken] = useState<string | null>(null)

  useEffect(() => {
    if (!signedIn) return
    let current = true
    // A new expiry means a new token: ask the SDK for it (it is fresh, so this sends nothing).
    auth.getAccessToken().then(
      (value) => current && setToken(value),
      () => current && setToken(null),
    )
    return () => {
      current = false
    }
  }, [auth, expiresAt, signedIn])

  const decoded = signedIn && token ? decodeJwt(token) : null
  if (!decoded || !token) return null
  return (
    <div className="token">
      <h3>
        Access token <span className="badge warn">signature not verified</span>
      </h3>
      <p>
        <code className="token-text" title="the token, shortened">
          {abbreviate(token, 24)}
        </code>{' '}
        <span className="muted small">
          {token.length} bytes, sent as Authorization: {dpop ? 'DPoP, with a proof' : 'Bearer'}
        </span>
      </p>
      <div className="decoded">
        <div>
          <h4>Header</h4>
          <Claims values={decoded.header} />
        </div>
        <div>
          <h4>Claims</h4>
          <Claims values={decoded.claims} />
        </div>
      </div>
      {dpop && <KeyBinding jkt={confirmedKey(decoded.claims)} dpop={dpop} />}
    </div>
  )
}
