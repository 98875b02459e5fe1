import { useMemo } from 'react'
import { cookieKey, describePartition, describeSessionCookie, isAuthCookie, maskValue, type CookieRecord } from '../../core/index.ts'
import { Badge } from '../components/Badge.tsx'
import { Empty } from '../components/Empty.tsx'
import { usePanel } from '../context.tsx'
import { relative } from '../format.ts'

const SAME_SITE: Record<CookieRecord['sameSite'], string> = { strict: 'Strict', lax: 'Lax', no_restriction: 'None', unspecified: 'unspecified' }

/** The inspected origin's cookies with every flag, HttpOnly ones included; values masked (E13). */
export function CookiesView() {
  const cookies = usePanel((s) => s.snapshot.cookies)
  const now = usePanel((s) => s.now)
  const revealed = usePanel((s) => s.revealed)
  const toggleReveal = usePanel((s) => s.toggleReveal)
  const ordered = useMemo(() => [...cookies].sort((a, b) => Number(isAuthCookie(b)) - Number(isAuthCookie(a)) || a.name.localeCompare(b.name)), [cookies])
  if (ordered.length === 0) return <Empty>No cookies for this page yet.</Empty>
  return (
    <table className="cookies">
      <thead>
        <tr>
          <th>Name</th>
          <th>Value</th>
          <th>Size</th>
          <th>Domain / Path</th>
          <th>Expires</th>
          <th>Flags</th>
        </tr>
      </thead>
      <tbody>
        {ordered.map((cookie) => {
          const key = cookieKey(cookie)
          const shown = revealed.has(key)
          const partition = describePartition(cookie)
          const sessionId = describeSessionCookie(cookie.name)
          return (
            <tr key={key} data-testid="cookie-row" data-cookie-name={cookie.name}>
              <td className="mono">
                {cookie.name} {sessionId ? <Badge tone="info" title={sessionId}>{sessionId}</Badge> : isAuthCookie(cookie) && <Badge tone="info">auth</Badge>}
              </td>
              <td className="mono value">
                <span className="cookie-value">{shown ? cookie.value : maskValue(cookie.value)}</span>{' '}
                <button type="button" className="link" onClick={() => toggleReveal(key)} aria-label={`${shown ? 'Hide' : 'Reveal'} value of ${cookie.name}`}>
                  {shown ? 'hide' : 'reveal'}
                </button>
              </td>
              <td>{cookie.name.length + cookie.value.length} B</td>
              <td className="mono">
                {cookie.domain}
                {cookie.path}
              </td>
              <td>{cookie.session || cookie.expirationDate === undefined ? 'session' : relative(cookie.expirationDate * 1000 - now)}</td>
              <td className="flags">
                <Badge tone={cookie.httpOnly ? 'good' : isAuthCookie(cookie) ? 'bad' : 'neutral'}>{cookie.httpOnly ? 'HttpOnly' : 'JS-readable'}</Badge>
                <Badge tone={cookie.secure ? 'good' : 'warn'}>{cookie.secure ? 'Secure' : 'not Secure'}</Badge>
                <Badge tone={cookie.sameSite === 'strict' || cookie.sameSite === 'lax' ? 'good' : 'warn'}>SameSite={SAME_SITE[cookie.sameSite]}</Badge>
                {cookie.name.startsWith('__Host-') && <Badge tone="good">__Host- prefix</Badge>}
                {partition && <Badge tone="info" title={partition}>Partitioned: {cookie.partitionKey?.topLevelSite ?? 'unknown site'}</Badge>}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
