import { Panel } from '../../components/Panel.tsx'

const PLANNED = [
  'Token size: bytes per request, JWT against a session id, and how it grows with claims',
  'Performance: server work per request, signature verification against a session lookup',
  'Server memory for 10,000 active sessions against none for stateless JWTs',
  'Revocation and logout: how long a revoked credential keeps working in each mode',
  'Storage security: what an injected script can read in each mode',
  'CSRF: a cross-site form post against each mode',
  'Cross-domain: the API on a second origin',
  'Microservices: a second service verifying the JWT with the JWKS alone',
  'Expiry: what the user sees with and without silent refresh',
]

/**
 * The comparison lab is a later slice. Until it runs real experiments this page shows none: no
 * numbers, no verdicts, only what it will measure.
 */
export function LabPlaceholder() {
  return (
    <Panel title="Comparison lab (not built yet)">
      <p>
        The lab will run each claim of the JWT-versus-session comparison as an experiment in this browser, against the mock backend, in every
        mode, and show the measured result with a verdict. It is not built yet, so there are no results here.
      </p>
      <h3>Planned experiments</h3>
      <ul>
        {PLANNED.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
      <p>
        Meanwhile the <a href="#demo">live demo</a>’s Break it panel shows several of these by hand.
      </p>
    </Panel>
  )
}
