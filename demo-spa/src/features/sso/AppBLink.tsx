import { Panel } from '../../components/Panel.tsx'
import { oidcApp } from '../../backend-options.ts'

/** The second app of the single sign-on demo, on another origin of the same server. */
export function AppBLink() {
  const b = oidcApp('b', location.port)
  return (
    <Panel title="Single sign-on: app B" className="app-b-link">
      <p>
        App B is another app on another origin (<code>{b.origin}</code>): another host, so another site, and none of this page’s cookies or storage
        reach it. Once you are signed in here, open it and press “Sign in (single sign-on)”: it signs in without a password, because the provider
        knows this browser. Sign out here and app B is signed out at its next refresh.
      </p>
      <p>
        <a href={b.home} target="_blank" rel="noopener">
          Open app B
        </a>
      </p>
    </Panel>
  )
}
