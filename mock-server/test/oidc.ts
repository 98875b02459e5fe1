import { expect } from 'vitest'
import type { MockBackendOptions } from '../src/config.ts'
import type { OidcClientConfig } from '../src/domain/oidc/clients.ts'
import { randomToken, sha256 } from '../src/domain/random.ts'
import { inProcessAgent, type Agent, type AgentResponse } from './agent.ts'

export const ISSUER = 'http://localhost'
export const APP = 'http://app.localhost:5173'
export const SPA: OidcClientConfig = {
  clientId: 'authlens-demo',
  name: 'AuthLens <Demo>',
  redirectUris: [`${APP}/callback`],
  postLogoutRedirectUris: [`${APP}/`],
}
export const OTHER: OidcClientConfig = { clientId: 'other-app', redirectUris: ['http://other.localhost:5174/callback'] }

/** A provider in this process, at `http://localhost`, where the agent (a browser) lives too. */
export function providerAgent(options: MockBackendOptions = {}): Agent {
  return inProcessAgent({ issuer: ISSUER, oidcClients: [SPA, OTHER], ...options })
}

export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomToken()
  return { verifier, challenge: await sha256(verifier) }
}

export function authorizePath(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value)
  return `/oauth/authorize?${query}`
}

/** A complete, valid request for the demo client; override or drop (`undefined`) parameters. */
export function codeRequest(challenge: string, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    client_id: SPA.clientId,
    redirect_uri: SPA.redirectUris[0],
    response_type: 'code',
    scope: 'openid profile email offline_access',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  }
}

/** The hidden fields of the login form, as a browser would submit them. */
export function loginForm(page: AgentResponse): { request: string; csrf: string } {
  const html = String(page.body)
  const field = (name: string) => decodeEntities(new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '')
  return { request: field('request'), csrf: field('csrf') }
}

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
}

export function submitLogin(agent: Agent, page: AgentResponse, username = 'alice', password = 'wonderland', extra: { from?: string } = {}): Promise<AgentResponse> {
  return agent.request('POST', '/oauth/login', { form: { ...loginForm(page), username, password }, ...extra })
}

/** The query of a redirect back to the client. */
export function redirectParams(response: AgentResponse): URLSearchParams {
  const location = response.headers.get('location')
  expect(location, `expected a redirect, got ${response.status}`).toBeTruthy()
  return new URL(location!).searchParams
}

/** Signs in through the login page; answers the code and the verifier that redeems it. */
export async function signInForCode(agent: Agent, overrides: Record<string, string | undefined> = {}, username = 'alice', password = 'wonderland') {
  const { verifier, challenge } = await pkce()
  const page = await agent.request('GET', authorizePath(codeRequest(challenge, overrides)))
  expect(page.status).toBe(200)
  const answer = await submitLogin(agent, page, username, password)
  expect(answer.status).toBe(303)
  const params = redirectParams(answer)
  return { code: params.get('code')!, verifier, params, answer }
}

/** With a provider session: /authorize answers at once with a code (SSO). */
export async function silentCode(agent: Agent, overrides: Record<string, string | undefined> = {}) {
  const { verifier, challenge } = await pkce()
  const answer = await agent.request('GET', authorizePath(codeRequest(challenge, overrides)))
  expect(answer.status).toBe(302)
  const params = redirectParams(answer)
  return { code: params.get('code')!, verifier, params, answer }
}

export function redeem(agent: Agent, code: string, verifier: string | undefined, overrides: Record<string, string | undefined> = {}): Promise<AgentResponse> {
  const form: Record<string, string> = {}
  const fields = { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: SPA.clientId, redirect_uri: SPA.redirectUris[0], ...overrides }
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) form[name] = value
  return agent.request('POST', '/oauth/token', { form, noCookies: true, noOrigin: true })
}
