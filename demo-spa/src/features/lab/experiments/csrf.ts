import type { AuthClient } from '@authlens/sdk'
import { crossSiteFormPost, otherOrigin, type CrossSitePost, type FormEnctype } from '../cross-site.ts'
import { accessToken, control, labClient, stats, withClient } from '../kit.ts'
import type { Experiment, Measurement, Verdict } from '../types.ts'
import { sameOriginForgery } from './csrf-same-origin.ts'

const ENCTYPES: FormEnctype[] = ['application/x-www-form-urlencoded', 'text/plain']

interface Defences {
  sessionCookieSameSite: 'Lax' | 'None'
  tokenCheck: boolean
  formBodies: boolean
}

const REAL: Defences = { sessionCookieSameSite: 'Lax', tokenCheck: true, formBodies: false }

/**
 * The session mode with its CSRF defences taken away one at a time, each layer's own effect
 * shown by the next row: SameSite keeps the cookie home; then the double-submit token refuses
 * the write; then the JSON-only API refuses a form body; with none left, the forged note is made.
 */
const LAYERS: Array<{ name: string; defences: Defences }> = [
  { name: 'SameSite=Lax (as shipped)', defences: REAL },
  { name: 'SameSite=None', defences: { ...REAL, sessionCookieSameSite: 'None' } },
  { name: 'SameSite=None, no CSRF token check', defences: { ...REAL, sessionCookieSameSite: 'None', tokenCheck: false } },
  { name: 'SameSite=None, no token check, form bodies accepted', defences: { sessionCookieSameSite: 'None', tokenCheck: false, formBodies: true } },
]

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
  const lost = posts.filter((post) => post.status === undefined)
  if (lost.length) throw new Error(`the cross-site form post (${lost.map((post) => post.enctype).join(', ')}) never got an answer from the server; attacker page ran: ${lost.map((post) => post.submitted).join(', ')}`)
  return { posts, created: (await noteCount(client)) - before }
}

/** What the server answered, read from its counters rather than assumed. */
function answered(posts: CrossSitePost[]): string {
  const meaning: Record<number, string> = {
    401: 'no credential: the cookie stayed home',
    403: 'refused by the CSRF checks',
    415: 'refused as a form body',
    201: 'note created',
  }
  return posts.map((post) => `${post.status} (${meaning[post.status ?? 0] ?? 'unexpected'})`).join(' and ')
}

export const csrf: Experiment = {
  id: 'csrf',
  title: 'CSRF',
  claim: 'Cookie sessions are open to CSRF; bearer tokens are not, because the browser never attaches them.',
  needsHttpServer: 'the cross-site form post comes from a page on a second site (http://localhost:PORT), which no service worker on this origin can answer; the worker cookies are also written by script, so SameSite and HttpOnly are not what is measured.',
  async run() {
    const before = await stats()
    const sameOrigin = await withClient(labClient('session'), sameOriginForgery)
    const layers: Array<{ name: string; posts: CrossSitePost[]; created: number }> = []
    try {
      for (const layer of LAYERS) {
        // SameSite is fixed when the cookie is set, so each layer signs in afresh after the change.
        await control('csrf-defences', { ...layer.defences })
        layers.push({ name: layer.name, ...(await withClient(labClient('session'), attack)) })
      }
    } finally {
      await control('csrf-defences', { ...REAL })
    }
    const bearer = await withClient(labClient('memory'), async (client) => {
      await accessToken(client)
      return attack(client)
    })
    const rejections = (await stats()).csrfRejections - before.csrfRejections
    const shipped = layers[0]!
    const undefended = layers.at(-1)!
    // Open to CSRF outright if the session as shipped let a forged note through; "depends" when
    // only taking its defences away did; a bearer-mode note from a form would refute the claim.
    const verdict: Verdict = bearer.created > 0 ? 'disagrees' : shipped.created > 0 ? 'agrees' : 'depends'
    const measured: Measurement[] = [
      { label: 'Session: same-origin POST without X-XSRF-TOKEN', value: sameOrigin.forgedStatus, unit: 'HTTP' },
      { label: 'Session: same-origin POST with X-XSRF-TOKEN', value: sameOrigin.legit, unit: 'HTTP' },
      ...layers.flatMap(({ name, posts, created }): Measurement[] => [
        { label: `Session, ${name}: cross-site form post answered`, value: posts[0]!.status!, unit: 'HTTP', chart: false },
        { label: `Session, ${name}: notes created by cross-site form posts`, value: created, unit: 'notes' },
      ]),
      { label: 'Bearer: cross-site form post answered', value: bearer.posts[0]!.status!, unit: 'HTTP', chart: false },
      { label: 'Bearer: notes created by cross-site form posts', value: bearer.created, unit: 'notes' },
      { label: 'CSRF rejections by the server', value: rejections, unit: 'requests' },
    ]
    return {
      id: 'csrf',
      claim: csrf.claim,
      modes: ['session (cookie)', 'JWT (bearer)'],
      measured,
      verdict,
      why: `A page on the other site (${otherOrigin()}) submitted real HTML forms (${ENCTYPES.join(' and ')}) to /api/notes while bob was signed in, against the session mode with its defences taken away one at a time. ${layers.map(({ name, posts, created }) => `${name}: ${answered(posts)}, ${created} notes created`).join('. ')}. So the claim holds for cookies as such: with every defence gone, the forms created ${undefended.created} notes in bob's name. As shipped, SameSite=Lax alone keeps the cookie home for cross-site posts; behind it the double-submit token and the JSON-only API each stop the forgery on their own (the Origin check does not here: this dev server trusts its other loopback name as a partner origin, trustLoopbackAliases). Same-site, the cookie always rides along: the POST without X-XSRF-TOKEN got ${sameOrigin.forged}, with the header ${sameOrigin.legit}. In bearer mode the same forms got ${answered(bearer.posts)} and created ${bearer.created} notes: a form cannot attach an Authorization header, so there is nothing to forge.`,
    }
  },
}
