import { accessToken, failure, labClient, stats, withClient } from '../kit.ts'
import type { Experiment } from '../types.ts'

/**
 * What a forged request looks like from the server's side: the browser attaches this origin's
 * cookies, but the attacker cannot read XSRF-TOKEN, so the header is missing. A page cannot send
 * a truly cross-site request to itself (and `Sec-Fetch-Site` cannot be forged by script), so the
 * lab sends the closest thing: a same-origin POST with cookies and without the header.
 */
const forged = (): Promise<Response> =>
  fetch('/api/notes', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'lab: forged' }) })

const xsrfCookie = (): string => decodeURIComponent(document.cookie.split('; ').find((pair) => pair.startsWith('XSRF-TOKEN='))?.slice(11) ?? '')

export const csrf: Experiment = {
  id: 'csrf',
  title: 'CSRF',
  claim: 'Cookie sessions are open to CSRF; bearer tokens are not, because the browser never attaches them.',
  async run() {
    const before = await stats()
    const session = await withClient(labClient('session'), async (client) => {
      const withoutHeader = await forged()
      // The legitimate request: the SDK copies XSRF-TOKEN into X-XSRF-TOKEN. Deleted again after.
      const legit = await client.fetch('/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'lab: legit' }) })
      const note = legit.ok ? ((await legit.json()) as { id?: unknown }) : {}
      if (typeof note.id === 'string' || typeof note.id === 'number') await client.fetch(`/notes/${note.id}`, { method: 'DELETE' })
      return { forged: await failure(withoutHeader), forgedStatus: withoutHeader.status, legit: legit.status, csrfCookie: xsrfCookie().length > 0 }
    })
    const bearer = await withClient(labClient('memory'), async (client) => {
      await accessToken(client)
      const response = await forged()
      return { forged: await failure(response), forgedStatus: response.status }
    })
    const rejections = (await stats()).csrfRejections - before.csrfRejections
    const defended = session.forgedStatus === 403 && bearer.forgedStatus === 401
    return {
      id: 'csrf',
      claim: csrf.claim,
      modes: ['session (cookie)', 'JWT (bearer)'],
      measured: [
        { label: 'Session: forged POST status', value: session.forgedStatus, unit: 'HTTP' },
        { label: 'Session: POST with X-XSRF-TOKEN status', value: session.legit, unit: 'HTTP' },
        { label: 'Bearer: forged POST status', value: bearer.forgedStatus, unit: 'HTTP' },
        { label: 'CSRF rejections by the server', value: rejections, unit: 'requests' },
      ],
      verdict: defended ? 'agrees' : 'disagrees',
      why: `With the session cookie, the POST without X-XSRF-TOKEN got ${session.forged}: the cookie did go along, and only the double-submit check (plus Origin checks and SameSite=Lax) stopped it, so the surface is real and needs that defence; with the header it got ${session.legit}. In bearer mode the same POST got ${bearer.forged}: nothing the browser attaches on its own is a credential, so there is nothing to forge.`,
    }
  },
}
