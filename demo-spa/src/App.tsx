import { AuthProvider, RequireAuth } from '@authlens/sdk/react'
import { useDemo } from './app/demo-store.ts'
import { backendInWorker } from './app/runtime.ts'
import { useSection } from './app/use-section.ts'
import { AccountBar } from './features/account/AccountBar.tsx'
import { BffSignIn } from './features/bff/BffSignIn.tsx'
import { BreakItPanel } from './features/break-it/BreakItPanel.tsx'
import { CredentialCard } from './features/credential-card/CredentialCard.tsx'
import { EventLog } from './features/event-log/EventLog.tsx'
import { LabPage } from './features/lab/LabPage.tsx'
import { ModePicker } from './features/mode-picker/ModePicker.tsx'
import { NotesPanel } from './features/notes/NotesPanel.tsx'
import { SignInForm } from './features/sign-in/SignInForm.tsx'
import { AppBLink } from './features/sso/AppBLink.tsx'
import { JourneySteps } from './features/sso/JourneySteps.tsx'
import { ProviderSignIn } from './features/sso/ProviderSignIn.tsx'
import { MODES } from './modes.ts'

function LiveDemo() {
  const connection = useDemo((state) => state.connection)
  const { signIn: way } = MODES[connection.mode]
  const provider = way === 'provider'
  const signIn = provider ? <ProviderSignIn app="a" /> : way === 'bff' ? <BffSignIn /> : <SignInForm />
  return (
    // Keyed by mode: a new client means fresh components, with nothing of the old mode's state.
    <AuthProvider key={connection.mode} client={connection.client}>
      <ModePicker />
      <AccountBar />
      <div className="columns">
        <div className="column">
          {/* The form also stands in while signing in, so what was typed survives a failed attempt. */}
          <RequireAuth anonymous={signIn} fallback={signIn}>
            <NotesPanel />
          </RequireAuth>
          {provider && <JourneySteps />}
          {provider && <AppBLink />}
          <BreakItPanel />
        </div>
        <div className="column">
          <CredentialCard />
          <EventLog />
        </div>
      </div>
    </AuthProvider>
  )
}

export function App() {
  const section = useSection()
  return (
    <>
      <header className="site-header">
        <div>
          <h1>AuthLens demo</h1>
          <p className="tagline">JWT and session authentication, side by side, live: sign in, watch the credential, break things on purpose.</p>
        </div>
        <nav aria-label="Sections">
          <a href="#demo" aria-current={section === 'demo' ? 'page' : undefined}>
            Live demo
          </a>
          <a href="#lab" aria-current={section === 'lab' ? 'page' : undefined}>
            Comparison lab
          </a>
        </nav>
      </header>
      {backendInWorker && (
        <p role="note" className="warning banner">
          The backend runs in a service worker here, so its cookies are written by script: nothing can be HttpOnly, and a session id or refresh
          cookie is as readable as any token. Run <code>npm start</code> for real cookies.
        </p>
      )}
      <main>{section === 'lab' ? <LabPage /> : <LiveDemo />}</main>
    </>
  )
}
