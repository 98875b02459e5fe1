import type { AuthClient } from '@authlens/sdk'
import { crossSiteFormPost, otherOrigin, type CrossSitePost, type FormEnctype } from '../cross-site.ts'
import { accessToken, labClient, stats, withClient } from '../kit.ts'
import type { Experiment, Verdict } from '../types.ts'
import { sameOriginForgery } from './csrf-same-origin.ts'

const ENCTYPES: FormEnctype[] = ['application/x-www-form-urlencoded', 'text/plain']

/** The signed-in user's notes, read through the lab client (the attacker cannot read them). */
async function noteCount(client: AuthClient): Promise<number> {
  const response = await client.fetch('/notes')
  if (!response.ok) throw new Error(`GET /api/notes answered ${response.status}`)
  return ((await response.json()) as { notes?: unknown[] }).notes?.length ?? 0
}

/** Both classic form posts from the other site, with the victim's note count around them. */
async function attack(client: AuthClient): Promise<{ posts: CrossSitePost[]; created: number }> {
  const before = await noteCount(client)
  const posts: CrossSitePost[] = []
  for (const enctype of ENCTYPES) posts.push(await crossSiteFormPost(enctype))
  // A lost post would make "nothing created" meaningless, so it fails the row instead.
  const lost = posts.filter((post) => post.arrived < 1)
  if (lost.length) throw new Error(`the cross-site form post (${lost.map((post) => post.enctype).join(', ')}) never reached the server; attacker page ran: ${lost.map((post) => post.submitted).join(', ')}`)
  return { posts, created: (await noteCount(client)) - before }
}

const sum = (posts: CrossSitePost[], key: 'arrived' | 'unauthorized' | 'csrfRejections'): number => posts.reduce((total, post) => total + post[key], 0)

/** What stopped the cross-site posts, read from the counters rather than assumed. */
function stoppedBy(posts: CrossSitePost[]): string {
  if (sum(posts, 'unauthorized') === posts.length && sum(posts, 'csrfRejections') === 0) {
    return 'SameSite=Lax: the session cookie was not attached, so each post was answered 401 (no credential) and no CSRF refusal was counted; the Origin, CSRF-token and content-type (415 for a form body) checks come after authentication and were never reached, so this run does not measure them'
  }
  if (sum(posts, 'csrfRejections') > 0) return 'the Origin/double-submit CSRF checks: the cookie did go along'
  return 'something the counters do not show (neither a 401 nor a CSRF refusal was counted)'
}

export const csrf: Experiment = {
  id: 'csrf',
  title: 'CSRF',
  claim: 'Cookie sessions are open to CSRF; bearer tokens are not, because the browser never attaches them.',
  needsHttpServer: 'the cross-site form post comes from a page on a second site (http://localhost:PORT), which no service worker on this origin can answer; the worker cookies are also written by script, so SameSite and HttpOnly are not what is measured.',
  async run() {
    const before = await stats()
    const session = await withClient(labClient('session'), async (client) => ({ ...(await sameOriginForgery(client)), ...(await attack(client)) }))
    const bearer = await withClient(labClient('memory'), async (client) => {
      await accessToken(client)
      return attack(client)
    })
    const rejections = (await stats()).csrfRejections - before.csrfRejections
    const cookieCrossed = sum(session.posts, 'csrfRejections') > 0
    // "Open to CSRF" holds outright if a forged post created a note or only the CSRF check stopped
    // a cross-site one; it depends when SameSite=Lax already kept the cookie home and the token
    // check stopped the same-site forgery; a bearer-mode note from a form would refute the claim.
    const verdict: Verdict =
      bearer.created > 0 ? 'disagrees' : session.created > 0 || cookieCrossed ? 'agrees' : session.forgedStatus === 403 && session.legit === 201 ? 'depends' : 'disagrees'
    return {
      id: 'csrf',
      claim: csrf.claim,
      modes: ['session (cookie)', 'JWT (bearer)'],
      measured: [
        { label: 'Session: same-origin POST without X-XSRF-TOKEN', value: session.forgedStatus, unit: 'HTTP' },
        { label: 'Session: same-origin POST with X-XSRF-TOKEN', value: session.legit, unit: 'HTTP' },
        { label: 'Session: cross-site form posts that reached the server', value: sum(session.posts, 'arrived'), unit: 'requests' },
        { label: 'Session: notes created by cross-site form posts', value: session.created, unit: 'notes' },
        { label: 'Session: cross-site posts answered 401 (no cookie)', value: sum(session.posts, 'unauthorized'), unit: 'requests' },
        { label: 'Session: cross-site posts refused by the CSRF checks', value: sum(session.posts, 'csrfRejections'), unit: 'requests' },
        { label: 'Bearer: cross-site form posts that reached the server', value: sum(bearer.posts, 'arrived'), unit: 'requests' },
        { label: 'Bearer: notes created by cross-site form posts', value: bearer.created, unit: 'notes' },
        { label: 'CSRF rejections by the server', value: rejections, unit: 'requests' },
      ],
      verdict,
      why: `A page on the other site (${otherOrigin()}) submitted real HTML forms (${ENCTYPES.join(' and ')}) to /api/notes while bob was signed in. In session mode ${sum(session.posts, 'arrived')} posts reached the server and created ${session.created} notes; they were stopped by ${stoppedBy(session.posts)}. Same-site, the cookie does ride along: the POST without X-XSRF-TOKEN got ${session.forged} and only the double-submit check (with the Origin check) stopped it; with the header it got ${session.legit}. Of those later defences, the Origin check would not have helped here: this dev server trusts its other loopback name as a partner origin (trustLoopbackAliases), so only the token and the content type were left behind SameSite. So cookie sessions do carry the CSRF surface, and it is closed by SameSite=Lax for cross-site forms plus the CSRF token for everything else. In bearer mode the same forms created ${bearer.created} notes: a form cannot attach an Authorization header, so there is nothing to forge.`,
    }
  },
}
