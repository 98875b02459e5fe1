import type { AuthClient } from '@authlens/sdk'
import { failure } from '../kit.ts'

/**
 * What a forged request looks like from the server's side once the cookie does go along (a
 * same-site page, or a browser without SameSite): the attacker cannot read XSRF-TOKEN, so the
 * header is missing. `Sec-Fetch-Site` cannot be forged by script, so this is a same-origin POST
 * with cookies and without the header; the real cross-site post is in ../cross-site.ts.
 */
const forged = (): Promise<Response> =>
  fetch('/api/notes', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'lab: forged' }) })

/** The forged POST, then the legitimate one (the SDK copies XSRF-TOKEN into X-XSRF-TOKEN), deleted again after. */
export async function sameOriginForgery(client: AuthClient): Promise<{ forged: string; forgedStatus: number; legit: number }> {
  const withoutHeader = await forged()
  const legit = await client.fetch('/notes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'lab: legit' }) })
  const body = legit.ok ? ((await legit.json()) as { note?: { id?: unknown } }) : {}
  const id = body.note?.id
  if (typeof id === 'string' || typeof id === 'number') await client.fetch(`/notes/${id}`, { method: 'DELETE' })
  return { forged: await failure(withoutHeader), forgedStatus: withoutHeader.status, legit: legit.status }
}
