import { isLabReport, LAB_WINDOW, labRunUrl, type LabReport } from '../../../app-b/lab-protocol.ts'
import { oidcApp } from '../../../backend-options.ts'
import { base64url } from '../../../lib/jwt.ts'
import { discoverProvider } from '../../sso/discovery.ts'
import { sessionCookieAcross } from '../cross-site.ts'
import { formatEstimate, timing } from '../format.ts'
import { control, jwtClaims, LAB_USER, stats, type LabStats } from '../kit.ts'
import { medianWithInterval } from '../statistics/bootstrap.ts'
import type { Experiment } from '../types.ts'

/** App B's silent sign-ins: as many as the lab's other timings take, each a full round trip through the provider. */
const RUNS = 30
/** Thirty sign-ins, each loading app B's page again, take a few seconds; far more means B is stuck. */
const REPORT_WAIT_MS = 60_000

const random = (bytes: number) => base64url(crypto.getRandomValues(new Uint8Array(bytes)))

/** The provider's answers counted on the server between two snapshots: `METHOD /path status`. */
const answered = (before: LabStats, after: LabStats, key: string) => (after.responses[key] ?? 0) - (before.responses[key] ?? 0)

/** Passwords the provider's sign-in page received: every `POST /oauth/login` carries one. */
const passwords = (before: LabStats, after: LabStats) => (after.requests['POST /oauth/login'] ?? 0) - (before.requests['POST /oauth/login'] ?? 0)

/** Redirects the provider answered with: at once from `/authorize`, or after its sign-in form. */
const redirects = (before: LabStats, after: LabStats) => answered(before, after, 'GET /oauth/authorize 302') + answered(before, after, 'POST /oauth/login 303')

/**
 * App A's sign-in, done as a person does it on the provider's page: its form, filled in and posted
 * with one password (`prompt=login`, so a sign-in the browser already has does not count), then
 * the code exchanged (PKCE) for app A's own tokens. This page is on A's origin, the provider's.
 */
async function signInToAppA(): Promise<Record<string, unknown>> {
  const app = oidcApp('a', location.port)
  const provider = await discoverProvider(app.issuer)
  const verifier = random(32)
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
  const authorize = new URL(provider.authorization_endpoint)
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    scope: 'openid profile',
    state: random(16),
    nonce: random(16),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt: 'login',
  }).toString()
  const page = await fetch(authorize, { credentials: 'same-origin' })
  const form = new DOMParser().parseFromString(await page.text(), 'text/html').querySelector('form')
  if (!page.ok || !form) throw new Error(`the provider showed no sign-in form (${page.status})`)
  const fields = new URLSearchParams()
  for (const [name, value] of new FormData(form)) fields.set(name, String(value))
  fields.set('username', LAB_USER.username)
  fields.set('password', LAB_USER.password)
  // The 303 to A's callback is followed: its URL, on this origin, carries the code.
  const back = await fetch(new URL(form.getAttribute('action') ?? '', authorize), { method: 'POST', body: fields, credentials: 'same-origin' })
  const code = new URL(back.url).searchParams.get('code')
  if (!code) throw new Error(`the provider's sign-in form sent no code back (${back.status} ${new URL(back.url).pathname})`)
  const tokens = await fetch(provider.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, client_id: app.clientId, code_verifier: verifier }),
  })
  const body = (await tokens.json()) as { id_token?: unknown }
  if (typeof body.id_token !== 'string') throw new Error(`the token endpoint answered ${tokens.status} without an ID token`)
  return jwtClaims(body.id_token)
}

/** App B's report, from the window the runner opened, on B's origin, and nothing else. */
function reportFrom(popup: Window): Promise<LabReport> {
  const origin = oidcApp('b', location.port).origin
  return new Promise((resolve, reject) => {
    const done = () => {
      window.removeEventListener('message', onMessage)
      clearTimeout(timer)
    }
    const onMessage = (event: MessageEvent) => {
      if (event.source !== popup || event.origin !== origin || !isLabReport(event.data)) return
      done()
      resolve(event.data)
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`app B's window sent no results within ${REPORT_WAIT_MS / 1000} s${popup.closed ? ' (it was closed)' : ''}`))
    }, REPORT_WAIT_MS)
    window.addEventListener('message', onMessage)
  })
}

export const sso: Experiment = {
  id: 'sso',
  title: 'Single sign-on',
  claim: 'JWTs can be used for SSO across services.',
  needsHttpServer: 'the provider’s sign-in is a chain of navigations, which a service worker cannot answer, and app B lives on a second origin of the same server.',
  window: { name: LAB_WINDOW, url: () => labRunUrl('wait') },
  async run(popup) {
    if (!popup) throw new Error('the browser blocked the window app B runs in: allow pop-ups for this page, then run again')
    try {
      const start = await stats()
      const claimsA = await signInToAppA()
      const signedInA = await stats()
      const report = reportFrom(popup)
      popup.location.href = labRunUrl(RUNS)
      const b = await report
      const doneB = await stats()
      const cookie = await sessionCookieAcross()

      const passwordsB = passwords(signedInA, doneB)
      const redirectsB = redirects(signedInA, doneB) / RUNS
      const silent = b.samples.length > 0 ? medianWithInterval(b.samples) : null
      const sameSession = b.sid !== '' && b.sid === claimsA.sid
      const single = b.samples.length === RUNS && passwordsB === 0 && sameSession
      const cookieStaysHome = cookie.home === 200 && cookie.away.status === 401
      const bOrigin = oidcApp('b', location.port).origin
      return {
        id: 'sso',
        claim: sso.claim,
        modes: ['OIDC: provider session cookie + redirects', 'session cookie alone'],
        measured: [
          { label: 'Passwords typed: app A', value: passwords(start, signedInA), unit: 'passwords' },
          { label: `Passwords typed: app B (${RUNS} sign-ins)`, value: passwordsB, unit: 'passwords' },
          { label: 'App B signed in without a password', value: b.samples.length, unit: `of ${RUNS}` },
          { label: 'Redirects: app A (sign-in page, then back)', value: redirects(start, signedInA), unit: 'redirects' },
          { label: 'Redirects per app B sign-in', value: redirectsB, unit: 'redirects' },
          ...(silent ? [timing('Time to be signed in to app B', silent, 'ms')] : []),
          { label: 'Session cookie call, same origin', value: cookie.home, unit: 'HTTP' },
          { label: 'Session cookie call to the other origin', value: cookie.away.status, unit: 'HTTP' },
        ],
        verdict: single && cookieStaysHome ? 'depends' : 'disagrees',
        why: `App A (${location.origin}) signed in on the provider's own page with ${passwords(start, signedInA)} password. App B, on ${bOrigin}, then signed in ${b.samples.length} of ${RUNS} times with prompt=none${b.refused.length ? ` (refused: ${[...new Set(b.refused)].join(', ')})` : ''}, the provider receiving ${passwordsB} passwords meanwhile: ${redirectsB} redirect per sign-in, and ${silent ? formatEstimate(silent, 'ms') : 'no time measured'} from asking the provider to signed in, loading B's page again included. Each app got JWTs of its own: A's ID token is for ${String(claimsA.aud)}, B's for ${b.aud || 'nobody (B got none)'}, ${sameSession ? 'both naming the same provider session' : 'from different provider sessions'}; no token passed from one app to the other. What signed B in is the provider's session cookie on ${new URL(oidcApp('a', location.port).issuer).host}, sent on the redirect through the provider, which B's pages never see. A session cookie alone does not cross: the same kind of sign-in got ${cookie.home} at home and ${cookie.away.text} on ${bOrigin}. So it depends on what carries it: single sign-on comes from the provider session and the redirects (OpenID Connect); JWTs are what each app receives at the end, not what makes the sign-on single.`,
      }
    } finally {
      // The lab's provider session and the families issued through it, and its session, end here.
      await control('revoke', { username: LAB_USER.username })
    }
  },
}
