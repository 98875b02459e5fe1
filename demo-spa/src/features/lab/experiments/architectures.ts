import { tokenMediatingService } from '../../../backend-options.ts'
import { readLoot, secretsIn, type Secret } from '../../../lib/page-secrets.ts'
import { BFF } from '../../bff/bff-routes.ts'
import { crossOriginCall, otherOrigin } from '../cross-site.ts'
import { formatEstimate, timing } from '../format.ts'
import { bytes, control, LAB_USER } from '../kit.ts'
import { signInAsPublicClient, signInThroughBff, signOutOfBff } from '../provider-sign-in.ts'
import { medianWithInterval, quantileWithInterval } from '../statistics/bootstrap.ts'
import { lessThan } from '../statistics/verdict.ts'
import type { Experiment } from '../types.ts'

/** Requests an injected script makes with whatever each architecture lets it use. */
const SCRIPT_CALLS = 20
/** Per side of the latency comparison, after the warm-up; the two sides take turns. */
const REQUESTS = 300
const WARM_UP = 20
/** BFF session records the server builds to weigh one (the memory probe's throwaway store). */
const RECORDS = 2_000

const TMB = tokenMediatingService.basePath

/** Every token in what a script can read in storage and in the answers it fetched itself (by where). */
async function tokensReadable(fetched: Record<string, string>): Promise<Secret[]> {
  return secretsIn({ ...(await readLoot()), ...fetched })
}

/** The bytes of the distinct tokens found, less those readable before (the live demo's are not counted). */
const secretBytes = (secrets: Secret[], before: Set<string>): number =>
  [...new Set(secrets.map((secret) => secret.value))].filter((value) => !before.has(value)).reduce((sum, value) => sum + bytes(value), 0)

/** What a script in the page does with what it has: `SCRIPT_CALLS` requests, counted when answered 2xx. */
async function scriptCalls(url: string, init: RequestInit): Promise<number> {
  let ok = 0
  for (let call = 0; call < SCRIPT_CALLS; call++) if ((await fetch(url, init)).ok) ok++
  return ok
}

const bearer = (token: string): RequestInit => ({ credentials: 'omit', headers: { Authorization: `Bearer ${token}` } })

/** `GET /me` through the BFF's proxy and straight at the API with a bearer token, taking turns. */
async function hopLatency(token: string): Promise<{ proxied: number[]; direct: number[] }> {
  const samples = { proxied: [] as number[], direct: [] as number[] }
  const sides = [
    { into: samples.proxied, url: `${BFF.api}/me`, init: { credentials: 'same-origin' } as RequestInit },
    { into: samples.direct, url: '/api/me', init: bearer(token) },
  ]
  for (let round = 0; round < WARM_UP + REQUESTS; round++) {
    for (let turn = 0; turn < sides.length; turn++) {
      const side = sides[(round + turn) % sides.length]!
      const started = performance.now()
      const response = await fetch(side.url, side.init)
      await response.arrayBuffer()
      const took = performance.now() - started
      if (!response.ok) throw new Error(`GET ${side.url} answered ${response.status}`)
      if (round >= WARM_UP) side.into.push(took)
    }
  }
  return samples
}

/** What one BFF session record costs the server, as `POST /__mock/memory-probe` measures it. */
async function recordBytes(): Promise<{ bytesPerSession: number; accessTokenBytes: number; refreshTokenBytes: number }> {
  const response = await fetch('/__mock/memory-probe', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sessions: 1, bffSessions: RECORDS }) })
  const body = (await response.json()) as { bff?: { bytesPerSession: number; accessTokenBytes: number; refreshTokenBytes: number } }
  if (!response.ok || !body.bff) throw new Error(`/__mock/memory-probe answered ${response.status} without BFF records`)
  return body.bff
}

export const architectures: Experiment = {
  id: 'architectures',
  title: 'Three architectures',
  claim: 'Sessions or JWTs: a session cookie keeps a browser app’s credentials from scripts; a token the page holds does not.',
  needsHttpServer: 'the BFF’s sign-in is a chain of navigations and its proxy calls the API over HTTP, which a service worker cannot do, and the token-mediating backend is mounted by the dev server.',
  async run() {
    const before = new Set((await tokensReadable({})).map((secret) => secret.value))
    try {
      // Browser-only: app A as a public client. The tokens are in this page's memory; an injected
      // script cannot reach the SDK's variables, but it can run a code flow of its own on the
      // provider session (prompt=none, no secret needed) and be handed a fresh set (BCP §5.1.3).
      const own = await signInAsPublicClient('login', 'openid profile offline_access')
      const stolen = await signInAsPublicClient('none', 'openid profile offline_access')
      const browserToken = String(stolen.access_token)
      const browserRead = await tokensReadable({ 'POST /oauth/token': JSON.stringify(stolen) })
      const browserCalls = await scriptCalls('/api/me', bearer(browserToken))
      const browserAway = await crossOriginCall(`${otherOrigin()}/api/me`, bearer(browserToken))

      // Token-mediating backend: the refresh token stays on the server; the access token is one GET away.
      await signInThroughBff(TMB)
      const handed = await (await fetch(`${TMB}/bff/token`, { credentials: 'same-origin' })).text()
      const mediatedToken = String((JSON.parse(handed) as { access_token?: unknown }).access_token)
      const mediatedRead = await tokensReadable({ [`GET ${TMB}/bff/token`]: handed })
      const mediatedCalls = await scriptCalls(`${TMB}/api/me`, bearer(mediatedToken))
      const mediatedAway = await crossOriginCall(`${otherOrigin()}${TMB}/api/me`, bearer(mediatedToken))

      // BFF: the script reads storage, cookies and every answer it can ask for again; it calls the proxy.
      await signInThroughBff()
      const answers = await Promise.all([BFF.session, `${BFF.api}/me`, `${BFF.api}/notes`].map(async (path) => [`GET ${path}`, await (await fetch(path)).text()]))
      const bffRead = await tokensReadable(Object.fromEntries(answers))
      const bffCalls = await scriptCalls(`${BFF.api}/me`, { credentials: 'same-origin' })
      const bffAway = await crossOriginCall(`${otherOrigin()}${BFF.api}/me`, { credentials: 'include' })

      const hop = await hopLatency(String((await signInAsPublicClient('none')).access_token))
      const proxied = { median: medianWithInterval(hop.proxied), p95: quantileWithInterval(hop.proxied, 0.95) }
      const direct = { median: medianWithInterval(hop.direct), p95: quantileWithInterval(hop.direct, 0.95) }
      const record = await recordBytes()

      const read = { bff: secretBytes(bffRead, before), mediated: secretBytes(mediatedRead, before), browser: secretBytes(browserRead, before) }
      const kinds = (secrets: Secret[]) => [...new Set(secrets.map((secret) => secret.kind))].join(' and ') || 'nothing'
      const costsMore = lessThan(direct.median, proxied.median)
      const bffKeepsTokens = read.bff === 0 && read.mediated > 0 && read.browser > 0
      const ms = (estimate: Parameters<typeof formatEstimate>[0]) => formatEstimate(estimate, 'ms')
      return {
        id: 'architectures',
        claim: architectures.claim,
        modes: ['BFF (browser-apps BCP §6.1)', 'token-mediating backend (§6.2)', 'browser-only public client (§6.3)'],
        measured: [
          { label: 'BFF: token bytes a script can read', value: read.bff, unit: 'bytes', chart: true },
          { label: 'Token-mediating: token bytes a script can read', value: read.mediated, unit: 'bytes', chart: true },
          { label: 'Browser-only: token bytes a script can read', value: read.browser, unit: 'bytes', chart: true },
          { label: 'BFF: script calls through the proxy answered', value: bffCalls, unit: `of ${SCRIPT_CALLS}` },
          { label: 'Token-mediating: script calls with the handed token answered', value: mediatedCalls, unit: `of ${SCRIPT_CALLS}` },
          { label: 'Browser-only: script calls with the fresh token answered', value: browserCalls, unit: `of ${SCRIPT_CALLS}` },
          { label: 'BFF: the proxy called from the other origin', value: bffAway.status, unit: 'HTTP' },
          { label: 'Token-mediating: its token used from the other origin', value: mediatedAway.status, unit: 'HTTP' },
          { label: 'Browser-only: its token used from the other origin', value: browserAway.status, unit: 'HTTP' },
          timing('GET /bff/api/me through the BFF, median', proxied.median, 'ms'),
          timing('GET /bff/api/me through the BFF, p95', proxied.p95, 'ms'),
          timing('GET /api/me with a bearer token, median', direct.median, 'ms'),
          timing('GET /api/me with a bearer token, p95', direct.p95, 'ms'),
          { label: 'Server state per user: BFF (or token-mediating) session record, tokens included', value: record.bytesPerSession, unit: 'bytes' },
          { label: 'Server state per user: browser-only, beyond the provider’s own', value: 0, unit: 'bytes' },
        ],
        verdict: bffKeepsTokens && bffCalls === SCRIPT_CALLS ? 'depends' : 'disagrees',
        why: `Counted as readable: what a script injected into the page can list (document.cookie, both storages, IndexedDB) and every answer it can fetch again itself; the SDK's memory only where the page exposes it (it does not, so app A's own ${bytes(String(own.access_token))}-byte access token is not counted). Browser-only: the script runs a code flow of its own on the provider session (prompt=none, a public client needs no secret) and is handed ${read.browser} bytes (${['access_token', 'refresh_token', 'id_token'].filter((field) => typeof stolen[field] === 'string').join(', ')}). Token-mediating: GET ${TMB}/bff/token hands it ${read.mediated} bytes (${kinds(mediatedRead)}); the refresh token stays on the server. BFF: ${read.bff} bytes; the session cookie is HttpOnly and no answer carries a token (in this demo app A's public client is registered on the same origin, so a script there could still play the browser-only trick; a BFF deployment registers no public client). Yet a script acts in all three while the page is open: ${bffCalls} of ${SCRIPT_CALLS} calls through the BFF's proxy succeeded with the cookie, ${mediatedCalls} and ${browserCalls} of ${SCRIPT_CALLS} with the tokens it got, and only those tokens leave: from ${otherOrigin()} the token-mediating token got ${mediatedAway.text} and the browser-only one ${browserAway.text}, while the BFF's cookie is first-party only (SameSite=Strict, host-only) and its proxy answered ${bffAway.text}. The hop costs: through the BFF ${ms(proxied.median)}, p95 ${ms(proxied.p95)}; straight with a bearer token ${ms(direct.median)}, p95 ${ms(direct.p95)} (taking turns; the direct call was ${costsMore === 'agrees' ? 'faster' : costsMore === 'disagrees' ? 'slower' : 'not told apart'}). The state: ${record.bytesPerSession} bytes per BFF session record (its ${record.accessTokenBytes}-byte access and ${record.refreshTokenBytes}-byte refresh token included; ${RECORDS.toLocaleString('en-US')} records weighed), against none for the browser-only client beyond the provider's refresh family and session, which all three have. So it depends on where the tokens live, not on sessions against JWTs: the BCP's first choice is both, a session cookie for the browser and the tokens (JWTs here) on the server, paid for with a hop and a record per user; and no architecture stops a script from acting as the user while the page is open.`,
      }
    } finally {
      await Promise.all([signOutOfBff('', BFF.csrfCookie), signOutOfBff(TMB, tokenMediatingService.cookieNames.bffCsrf)])
      // The lab's provider sessions and the refresh families issued through them end here.
      await control('revoke', { username: LAB_USER.username })
      await fetch(`${TMB}/__mock/revoke`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: LAB_USER.username }) })
    }
  },
}
