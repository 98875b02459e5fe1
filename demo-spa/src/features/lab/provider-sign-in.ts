import { oidcApp } from '../../backend-options.ts'
import { readPage } from '../../lib/page-secrets.ts'
import { BFF, bffLoginUrl } from '../bff/bff-routes.ts'
import { discoverProvider } from '../sso/discovery.ts'
import { base64url } from '../../lib/jwt.ts'
import { LAB_USER } from './kit.ts'

const random = (bytes: number) => base64url(crypto.getRandomValues(new Uint8Array(bytes)))

/**
 * Where a fetch that went to the provider's `/authorize` ended: its sign-in page, filled in and
 * posted as a person would (one password), or, with a provider session, already back where the
 * provider redirects. Every redirect is followed, so the answer is the last page of the trip.
 */
export async function throughProviderPage(answer: Response): Promise<Response> {
  if (!new URL(answer.url).pathname.endsWith('/oauth/authorize')) return answer
  const form = new DOMParser().parseFromString(await answer.text(), 'text/html').querySelector('form')
  if (!answer.ok || !form) throw new Error(`the provider showed no sign-in form (${answer.status})`)
  const fields = new URLSearchParams()
  for (const [name, value] of new FormData(form)) fields.set(name, String(value))
  fields.set('username', LAB_USER.username)
  fields.set('password', LAB_USER.password)
  return fetch(new URL(form.getAttribute('action') ?? '', answer.url), { method: 'POST', body: fields, credentials: 'same-origin' })
}

/**
 * App A's sign-in as a public client (code + PKCE, no secret), done with `fetch` from this page, which
 * is on A's origin, the provider's: `prompt=login` asks for the password on the provider's page;
 * `prompt=none` succeeds only on the provider session the browser already has. Answers the token
 * endpoint's body: access, refresh and ID token, in this page's hands.
 */
export async function signInAsPublicClient(prompt: 'login' | 'none', scope = 'openid profile'): Promise<Record<string, unknown>> {
  const app = oidcApp('a', location.port)
  const provider = await discoverProvider(app.issuer)
  const verifier = random(32)
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
  const authorize = new URL(provider.authorization_endpoint)
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    scope,
    state: random(16),
    nonce: random(16),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt,
  }).toString()
  // The redirect to A's callback is followed: its URL, on this origin, carries the code.
  const back = await throughProviderPage(await fetch(authorize, { credentials: 'same-origin' }))
  const code = new URL(back.url).searchParams.get('code')
  if (!code) throw new Error(`the provider sent no code back (${back.status} ${new URL(back.url).pathname})`)
  const tokens = await fetch(provider.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, client_id: app.clientId, code_verifier: verifier }),
  })
  const body = (await tokens.json()) as Record<string, unknown>
  if (typeof body.id_token !== 'string') throw new Error(`the token endpoint answered ${tokens.status} without an ID token`)
  return body
}

/**
 * A sign-in through a backend-for-frontend (`prefix`: where it is mounted), as the browser makes it:
 * `/bff/login`, the provider's page (or its session), the BFF's callback, back to this page, every
 * cookie set on the way kept by the browser. Throws unless the BFF then knows the session.
 */
export async function signInThroughBff(prefix = ''): Promise<void> {
  await throughProviderPage(await fetch(`${prefix}${bffLoginUrl('/')}`, { credentials: 'same-origin' }))
  const session = await fetch(`${prefix}${BFF.session}`, { credentials: 'same-origin' })
  if (!session.ok) throw new Error(`signed in through the BFF at ${prefix || '/'}, but ${prefix}${BFF.session} answered ${session.status}`)
}

/** Sign-out at a BFF: its session deleted and its refresh token revoked, with the CSRF header its readable cookie carries. */
export async function signOutOfBff(prefix: string, csrfCookie: string): Promise<void> {
  const token = readPage().cookies.find(([name]) => name === csrfCookie)?.[1] ?? ''
  await fetch(`${prefix}${BFF.logout}`, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-XSRF-TOKEN': token }, body: '{}' })
}
