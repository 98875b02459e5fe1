import type { AuthClient, AuthEvents } from '@authlens/sdk'
import { isAuthError } from '@authlens/sdk'
import { AuthProvider, RequireAuth, useAuth, useAuthState } from '@authlens/sdk/react'
import { useEffect, useState } from 'react'
import { addLog } from '../app/log-store.ts'
import { oidcApp } from '../backend-options.ts'
import { Panel } from '../components/Panel.tsx'
import { IdTokenDetails } from '../features/credential-card/IdTokenDetails.tsx'
import { TokenDetails } from '../features/credential-card/TokenDetails.tsx'
import { EventLog } from '../features/event-log/EventLog.tsx'
import { JourneySteps } from '../features/sso/JourneySteps.tsx'
import { ProviderSignIn } from '../features/sso/ProviderSignIn.tsx'

type SignOutReason = AuthEvents['logout']['reason']

const WHY: Record<SignOutReason, string> = {
  user: 'you signed out here',
  'cross-tab': 'another tab of app B signed out',
  refresh_failed: 'the provider refused the refresh',
  refresh_token_reused: 'the provider saw a refresh token used twice and ended the whole family',
  session_expired: 'the sign-in expired',
}

/** Who is signed in to app B, the two things a signed-in person does, and why the last sign-out happened. */
function AccountB() {
  const auth = useAuth()
  const status = useAuthState((state) => state.status)
  const user = useAuthState((state) => state.user)
  const [signedOut, setSignedOut] = useState<string | null>(null)
  const signedIn = status === 'authenticated' || status === 'refreshing'

  useEffect(
    () =>
      auth.on('logout', ({ reason }) => {
        const error = auth.getState().lastError
        // The SDK's messages never carry a token: the provider's answer can be shown as it is.
        setSignedOut(`${WHY[reason]}${error && reason !== 'user' ? ` (${error.message})` : ''}`)
      }),
    [auth],
  )

  const refreshNow = async () => {
    addLog({ source: 'demo', title: 'Refresh now', detail: 'auth.refresh()', tone: 'info' })
    try {
      await auth.refresh()
    } catch (error) {
      addLog({ source: 'demo', title: 'refresh rejected', detail: isAuthError(error) ? error.code : String(error), tone: 'bad' })
    }
  }
  const signOut = () => auth.logout().catch((error: unknown) => addLog({ source: 'demo', title: 'sign-out incomplete', detail: String(error), tone: 'bad' }))

  return (
    <div className="account-bar">
      <p role="status" aria-label="Sign-in status" className={signedIn ? 'status signed-in' : 'status'}>
        {status === 'anonymous' ? 'Signed out' : status === 'authenticating' ? 'Signing in…' : `Signed in as ${String(user?.name ?? user?.sub)}`}
      </p>
      {signedIn && (
        <div className="account-actions">
          <button type="button" onClick={() => void refreshNow()} disabled={status === 'refreshing'}>
            Refresh now
          </button>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      )}
      {!signedIn && signedOut && (
        <p role="note" aria-label="Why signed out" className="warning small">
          Signed out: {signedOut}.
        </p>
      )}
    </div>
  )
}

function Credential() {
  return (
    <Panel title="Credential" className="credential">
      <IdTokenDetails refreshTokenIn="the memory of app B's page (this tab, this origin)" />
      <TokenDetails />
    </Panel>
  )
}

/** App B: a second, small app of the same provider, on another origin. */
export function AppB({ client }: { client: AuthClient | null }) {
  const a = oidcApp('a', location.port)
  return (
    <>
      <header className="site-header">
        <div>
          <h1>App B</h1>
          <p className="tagline">
            Another app on another origin ({location.origin}), registered with the same provider as the <a href={`${a.home}?mode=oidc`}>AuthLens demo (app A)</a>.
          </p>
        </div>
      </header>
      {client === null ? (
        <p role="note" className="warning banner">
          App B needs <code>npm start</code>: signing in goes through the provider’s pages, which are navigations, and a service worker cannot answer them.
        </p>
      ) : (
        <main>
          <AuthProvider client={client}>
            <AccountB />
            <div className="columns">
              <div className="column">
                <RequireAuth anonymous={<ProviderSignIn app="b" singleSignOn />} fallback={<ProviderSignIn app="b" singleSignOn />}>
                  <Credential />
                </RequireAuth>
                <JourneySteps />
              </div>
              <div className="column">
                <EventLog />
              </div>
            </div>
          </AuthProvider>
        </main>
      )}
    </>
  )
}
