import { useAuth } from '@authlens/sdk/react'
import { useState } from 'react'

/**
 * Sign-in through the backend-for-frontend: a navigation, not a request. The BFF sends the browser
 * to the provider's page and, after the code exchange it makes itself, back here with a session cookie.
 */
export function BffSignIn() {
  const auth = useAuth()
  const [leaving, setLeaving] = useState(false)
  const go = () => {
    setLeaving(true)
    // bff(): a navigation to the BFF, which comes back to this page.
    void auth.login()
  }
  return (
    <section className="panel sign-in" aria-labelledby="bff-sign-in-heading">
      <h2 id="bff-sign-in-heading">Sign in</h2>
      <p>
        The BFF on this origin signs you in at the AuthLens ID provider as a confidential client (code + PKCE and its client secret), keeps the
        tokens it gets, and gives this page a session cookie. The page never holds a token.
      </p>
      <div className="account-actions">
        <button type="button" className="primary" onClick={go} disabled={leaving}>
          Sign in with AuthLens ID
        </button>
      </div>
      {leaving && <p className="muted">Going to the provider through the BFF…</p>}
    </section>
  )
}
