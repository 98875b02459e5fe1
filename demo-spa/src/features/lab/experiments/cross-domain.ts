import { accessToken, control, LAB_USER, labClient, withClient } from '../kit.ts'
import { crossOriginCall as call, otherOrigin, sessionCookieAcross } from '../cross-site.ts'
import type { Experiment } from '../types.ts'

export const crossDomain: Experiment = {
  id: 'cross-domain',
  title: 'Cross-domain',
  claim: 'Bearer tokens cross origins easily; session cookies need credentialed CORS and SameSite=None.',
  needsHttpServer: 'it needs the same backend on a second site (http://localhost:PORT beside http://127.0.0.1:PORT), and a service worker only answers its own origin.',
  async run() {
    const api = otherOrigin()
    // (a) Bearer: plain CORS, no cookies at all; the server allows the page's origin.
    const bearer = await withClient(labClient('memory'), async (client) =>
      call(`${api}/api/me`, { credentials: 'omit', headers: { Authorization: `Bearer ${await accessToken(client)}` } }),
    )
    // (b) The page's session cookie works at home, and is not sent to the other host at all.
    const session = await sessionCookieAcross()
    // (c) Signing in on the API host itself from this page: the login succeeds, but the browser
    // will not store or send its SameSite=Lax cookie in a cross-site fetch, so the next call is anonymous again.
    const login = await call(`${api}/api/session/login`, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(LAB_USER) })
    const afterLogin = await call(`${api}/api/me`, { credentials: 'include' })
    // That session lives on the server with no cookie anywhere to sign it out; revoke it.
    await control('revoke', { username: LAB_USER.username })

    const agrees = bearer.status === 200 && session.home === 200 && session.away.status === 401 && afterLogin.status === 401
    return {
      id: 'cross-domain',
      claim: crossDomain.claim,
      modes: ['JWT (bearer, CORS)', 'session (cookie, SameSite=Lax)'],
      measured: [
        { label: 'Bearer call to the other origin', value: bearer.status, unit: 'HTTP' },
        { label: 'Session cookie call, same origin', value: session.home, unit: 'HTTP' },
        { label: 'Session cookie call to the other origin', value: session.away.status, unit: 'HTTP' },
        { label: 'Sign-in on the other origin', value: login.status, unit: 'HTTP' },
        { label: 'Cookie call after that sign-in', value: afterLogin.status, unit: 'HTTP' },
      ],
      verdict: agrees ? 'agrees' : bearer.status === 200 ? 'depends' : 'disagrees',
      why: `From ${location.origin} to ${api}: the bearer call with credentials 'omit' got ${bearer.text}, because the token is an ordinary header and the server answers with Access-Control-Allow-Origin for this origin. The session cookie, set for ${location.hostname} with SameSite=Lax, got ${session.home} at home but ${session.away.text} on ${new URL(api).hostname}: a cookie belongs to its host and is never sent to another. Signing in on the API host itself answered ${login.text}, yet the next call got ${afterLogin.text}: a SameSite=Lax cookie is neither stored from nor sent with a cross-site fetch. A cross-site session needs the cookie set on the API host with SameSite=None; Secure, plus credentialed CORS (Allow-Credentials and an exact origin) on every call.`,
    }
  },
}
