import { describeSessionCookie, expiryView, numericDateMs, type ClockEstimate, type SignatureCheck, type TokenDpop, type TokenRecord } from '../../core/index.ts'
import { Badge } from '../components/Badge.tsx'
import { Countdown } from '../components/Countdown.tsx'
import { JsonText } from '../components/JsonText.tsx'
import { DIRECTION_NAMES, bindingText, clockTime, dateTime, kindName, pathOf, placeName, relative, roleBasisText, roleName, shortId, signatureText } from '../format.ts'

const STATE_TONE = { valid: 'good', expired: 'bad', 'not-yet-valid': 'warn', 'no-exp': 'warn' } as const

export function TokenCard({ token, now, clock, signature, dpop }: { token: TokenRecord; now: number; clock: ClockEstimate | null; signature: SignatureCheck | undefined; dpop: TokenDpop | undefined }) {
  const { inspection } = token
  const alg = inspection.kind === 'jws' || inspection.kind === 'jwe' ? inspection.header['alg'] : undefined
  const state = inspection.kind === 'jws' ? expiryView(inspection.claims, now, clock).state : null
  const basis = roleBasisText(token)
  const sentAsBearer = token.places.some((p) => p.direction === 'sent' && p.place.source === 'authorization-header')
  const binding = bindingText(token, dpop)
  return (
    <article className={`card token${token.replacedBy ? ' superseded' : ''}`} data-testid="token-card" data-token-id={token.id}>
      <header className="card-head">
        <h3>
          {roleName(token.role)} <span className="muted mono">{shortId(token.id)}</span>
        </h3>
        {basis && (
          <span className="muted" data-testid="role-basis">
            {basis}
          </span>
        )}
        <Badge tone="info">{kindName(token)}</Badge>
        {typeof alg === 'string' && <Badge>{alg}</Badge>}
        {state && <Badge tone={STATE_TONE[state]}>{state}</Badge>}
        {token.role === 'id' && sentAsBearer && (
          <Badge tone="bad" title="An ID token is for the client, not for APIs (audit A4)">
            sent as bearer
          </Badge>
        )}
        {binding && dpop?.basis !== null && (
          <Badge tone={dpop && dpop.sent.bearer > 0 ? 'bad' : 'good'} title={binding.headline}>
            {dpop && dpop.sent.bearer > 0 ? 'DPoP-bound, sent as Bearer' : 'DPoP-bound'}
          </Badge>
        )}
        {token.replacedBy && <Badge tone="neutral" title={`replaced by ${token.replacedBy}`}>refreshed → {shortId(token.replacedBy)}</Badge>}
        {token.replaces && <span className="muted">replaces {shortId(token.replaces)}</span>}
      </header>

      {inspection.kind === 'jws' ? (
        <>
          <SignatureNote check={signature} />
          {inspection.signature === '' && !token.unsignedElsewhere && <p className="muted">Signature not seen yet: the AuthLens SDK bridge sends tokens without it, so they cannot be replayed.</p>}
          <Countdown claims={inspection.claims} now={now} clock={clock} />
        </>
      ) : token.role === 'session' ? (
        <p className="reason" data-testid="session-id">
          <SessionIdNote token={token} />
        </p>
      ) : (
        <p className="reason" data-testid="not-decodable">
          {inspection.kind === 'not-jwt' ? `Not a JWT (${inspection.reason}): ${inspection.detail}` : `Not decodable: ${inspection.reason}`}
        </p>
      )}
      {inspection.kind !== 'jws' && token.expiresIn && <IssuedExpiry expiresIn={token.expiresIn} now={now} />}
      {binding && (
        <p className="binding" data-testid="dpop-binding">
          {binding.headline}
          {binding.uses && <span className="muted"> · {binding.uses}</span>}
        </p>
      )}

      <section>
        <h4>Where it lives and where it is sent</h4>
        <ul className="places">
          {token.places.map((p) => (
            <li key={`${p.direction}:${p.place.source}:${p.place.key}`}>
              <span className="direction">{DIRECTION_NAMES[p.direction]}</span> {placeName(p.place)}
              {p.lastExchange && (
                <span className="muted">
                  {' '}
                  {p.direction === 'sent' ? '→' : '←'} {p.lastExchange.method} {pathOf(p.lastExchange.url)} ({p.lastExchange.status})
                </span>
              )}
              {p.count > 1 && <span className="muted"> ×{p.count}</span>}
            </li>
          ))}
        </ul>
      </section>

      {inspection.kind === 'jws' && (
        <div className="decoded">
          <section>
            <h4>Header</h4>
            <JsonText value={inspection.header} label="decoded header" />
          </section>
          <section>
            <h4>Claims</h4>
            <JsonText value={inspection.claims} label="decoded claims" />
            <TimeClaims claims={inspection.claims} />
          </section>
        </div>
      )}
      {inspection.kind === 'jwe' && (
        <section>
          <h4>Protected header</h4>
          <JsonText value={inspection.header} label="JWE protected header" />
        </section>
      )}
      {inspection.notes.length > 0 && (
        <ul className="notes muted">
          {inspection.notes.map((note) => (
            <li key={note.code}>{note.detail}</li>
          ))}
        </ul>
      )}
    </article>
  )
}

/** E19 by default; what the offline check against the keys the page fetched found, once it ran. */
function SignatureNote({ check }: { check: SignatureCheck | undefined }) {
  const { headline, detail, tone } = signatureText(check)
  return (
    <>
      <p className={`signature signature-${tone}`} role="note" data-testid="signature">
        {headline}
      </p>
      {detail && <p className="muted">{detail}</p>}
    </>
  )
}

/** An opaque token's only expiry: the `expires_in` of the token response, counted from its arrival on this machine. */
function IssuedExpiry({ expiresIn, now }: { expiresIn: NonNullable<TokenRecord['expiresIn']>; now: number }) {
  const expiresAt = expiresIn.issuedAt + expiresIn.seconds * 1000
  return (
    <p className="countdown" data-testid="expires-in">
      <strong>{expiresAt > now ? `Expires ${relative(expiresAt - now)}` : `Expired ${relative(expiresAt - now)}`}</strong>{' '}
      <span className="muted">
        expires_in {expiresIn.seconds}s from the token response at {clockTime(expiresIn.issuedAt)} (this machine's clock)
      </span>
    </p>
  )
}

/** Which cookie carries the session id, and whose default its name is. */
function SessionIdNote({ token }: { token: TokenRecord }) {
  const cookie = token.places.find((p) => describeSessionCookie(p.place.key) !== null)?.place.key ?? ''
  return (
    <>
      Session cookie <span className="mono">{cookie}</span> ({describeSessionCookie(cookie)}): an opaque reference to a session the server keeps; nothing in it to decode.
    </>
  )
}

function TimeClaims({ claims }: { claims: Record<string, unknown> }) {
  const rows = (['iat', 'nbf', 'exp'] as const).flatMap((name) => {
    const ms = numericDateMs(claims[name])
    return ms === null ? [] : [[name, dateTime(ms)] as const]
  })
  if (rows.length === 0) return null
  return (
    <dl className="time-claims">
      {rows.map(([name, text]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{text}</dd>
        </div>
      ))}
    </dl>
  )
}
