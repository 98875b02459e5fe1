import { useAuthState } from '@authlens/sdk/react'
import { useDemo } from '../../app/demo-store.ts'
import { Panel } from '../../components/Panel.tsx'
import { MODES } from '../../modes.ts'
import { BffSessionDetails } from './BffSessionDetails.tsx'
import { ExpiryCountdown } from './ExpiryCountdown.tsx'
import { Holdings } from './Holdings.tsx'
import { IdTokenDetails } from './IdTokenDetails.tsx'
import { ScriptReadable } from './ScriptReadable.tsx'
import { SessionDetails } from './SessionDetails.tsx'
import { TokenDetails } from './TokenDetails.tsx'

/** The live credential: where it is, what it says, how long it lives, and who can read it. */
export function CredentialCard() {
  const mode = MODES[useDemo((state) => state.connection.mode)]
  const signedIn = useAuthState((state) => state.status === 'authenticated' || state.status === 'refreshing')
  const session = mode.strategy === 'session'
  return (
    <Panel title="Credential" className="credential">
      <Holdings mode={mode} />
      {signedIn ? (
        <>
          <ExpiryCountdown session={session} />
          {mode.signIn === 'provider' && <IdTokenDetails refreshTokenIn={mode.holds.find((holding) => holding.what === 'Refresh token')?.where ?? '?'} />}
          {mode.signIn === 'bff' ? <BffSessionDetails /> : session ? <SessionDetails /> : <TokenDetails dpop={mode.dpop} />}
        </>
      ) : (
        <p className="muted">Signed out: no credential.</p>
      )}
      <ScriptReadable mode={mode} />
    </Panel>
  )
}
