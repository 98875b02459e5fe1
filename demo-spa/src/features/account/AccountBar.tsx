import { isAuthError } from '@authlens/sdk'
import { useAuth, useAuthState } from '@authlens/sdk/react'
import { useDemo } from '../../app/demo-store.ts'
import { addLog } from '../../app/log-store.ts'
import { clockTime } from '../../lib/format.ts'
import { MODES } from '../../modes.ts'
import { SecondTabLink } from '../multi-tab/SecondTabLink.tsx'

const userName = (user: Record<string, unknown> | null): string => {
  const name = user?.name ?? user?.username ?? user?.sub
  return typeof name === 'string' ? name : 'someone'
}

/** Who is signed in, in which mode, and the two things a signed-in person does: refresh, sign out. */
export function AccountBar() {
  const auth = useAuth()
  const mode = useDemo((state) => state.connection.mode)
  const status = useAuthState((state) => state.status)
  const user = useAuthState((state) => state.user)
  const signedIn = status === 'authenticated' || status === 'refreshing'

  const refreshNow = async () => {
    addLog({ source: 'demo', title: 'Refresh now', detail: 'auth.refresh()', tone: 'info' })
    try {
      await auth.refresh()
      if (MODES[mode].strategy === 'session') {
        // A session has no token to renew and the SDK emits no `refresh` event for it: say what happened.
        const expiresAt = auth.getState().expiresAt
        addLog({ source: 'demo', title: 'session re-read', detail: `GET ${MODES[mode].signIn === 'bff' ? '/bff/session' : '/api/session'}: valid until ${expiresAt ? clockTime(expiresAt) : '?'} (server time)`, tone: 'ok' })
      }
    } catch (error) {
      addLog({ source: 'demo', title: 'refresh rejected', detail: isAuthError(error) ? error.code : String(error), tone: 'bad' })
    }
  }

  const signOut = async () => {
    try {
      await auth.logout()
    } catch (error) {
      addLog({ source: 'demo', title: 'sign-out incomplete', detail: isAuthError(error) ? error.message : String(error), tone: 'bad' })
    }
  }

  const text =
    status === 'anonymous'
      ? 'Signed out'
      : status === 'authenticating'
        ? 'Signing in…'
        : `Signed in as ${userName(user)}${status === 'refreshing' ? ' (refreshing…)' : ''}`

  return (
    <div className="account-bar">
      <p role="status" aria-label="Sign-in status" className={signedIn ? 'status signed-in' : 'status'}>
        {text}
      </p>
      {signedIn && (
        <div className="account-actions">
          <button type="button" onClick={refreshNow} disabled={status === 'refreshing'}>
            Refresh now
          </button>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      )}
      <SecondTabLink />
    </div>
  )
}
