import { useAuth } from '@authlens/sdk/react'
import { useState } from 'react'
import type { OidcAppId } from '../../backend-options.ts'
import { signInError } from '../sign-in/sign-in-error.ts'
import { signInAtProvider, useJourney } from './provider-sign-in.ts'

/**
 * Sign-in for an app of the OpenID Provider: no password here, the provider's page asks for it.
 * `singleSignOn` adds the silent way (`prompt=none`): signed in at once if the provider knows this
 * browser, `login_required` otherwise, and never a page.
 */
export function ProviderSignIn({ app, singleSignOn = false }: { app: OidcAppId; singleSignOn?: boolean }) {
  const auth = useAuth()
  const { finishing, refused: callbackRefused } = useJourney()
  const [leaving, setLeaving] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const go = async (prompt?: 'none') => {
    setLeaving(true)
    setError(null)
    try {
      await signInAtProvider(auth, app, { prompt, appState: { returnTo: `${location.pathname}${location.search}${location.hash}` } })
    } catch (failure) {
      setError(signInError(failure))
      setLeaving(false)
    }
  }

  const refused = error ?? (callbackRefused ? signInError(callbackRefused) : null)
  return (
    <section className="panel sign-in" aria-labelledby="provider-sign-in-heading">
      <h2 id="provider-sign-in-heading">Sign in</h2>
      <p>
        This app never sees your password: the AuthLens ID provider asks for it on its own page, then sends the browser back here with a one-time code
        that the SDK exchanges for tokens (Authorization Code + PKCE).
      </p>
      <div className="account-actions">
        <button type="button" className="primary" onClick={() => void go()} disabled={leaving || finishing}>
          Sign in with AuthLens ID
        </button>
        {singleSignOn && (
          <button type="button" onClick={() => void go('none')} disabled={leaving || finishing}>
            Sign in (single sign-on)
          </button>
        )}
      </div>
      {singleSignOn && (
        <p className="muted small">
          Single sign-on asks the provider with <code>prompt=none</code>: it signs you in at once if you are signed in there (say, in app A), and
          otherwise answers <code>login_required</code> without showing a page.
        </p>
      )}
      {leaving && <p className="muted">Going to the provider…</p>}
      {refused && (
        <p role="alert" className="error">
          {refused}
        </p>
      )}
    </section>
  )
}
