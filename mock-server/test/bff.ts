import { expect } from 'vitest'
import type { BffTokens } from '../src/domain/bff/sessions.ts'
import type { AuthStateStore } from '../src/store/types.ts'
import type { Agent, AgentResponse } from './agent.ts'
import { submitLogin } from './oidc.ts'

export const BFF_COOKIE = '__Host-bff'
export const BFF_CSRF = 'BFF-XSRF-TOKEN'

/** Path and query of a redirect's `Location`, for an agent that only speaks to this backend. */
export function locationPath(response: AgentResponse): string {
  const location = response.headers.get('location')
  expect(location, `expected a redirect, got ${response.status} ${JSON.stringify(response.body)}`).toBeTruthy()
  const url = new URL(location!, 'http://localhost')
  return `${url.pathname}${url.search}`
}

/**
 * A browser signing in through the BFF: /bff/login, the provider's page, the form, back to
 * /bff/callback. Answers every response the browser got on the way, in order.
 */
export async function signInThroughBff(agent: Agent, returnTo = '/notes', username = 'alice', password = 'wonderland'): Promise<[AgentResponse, AgentResponse, AgentResponse, AgentResponse]> {
  const start = await agent.request('GET', `/bff/login?returnTo=${encodeURIComponent(returnTo)}`)
  expect(start.status).toBe(302)
  const page = await agent.request('GET', locationPath(start))
  expect(page.status).toBe(200)
  const answer = await submitLogin(agent, page, username, password)
  expect(answer.status).toBe(303)
  const callback = await agent.request('GET', locationPath(answer))
  expect(callback.status, JSON.stringify(callback.body)).toBe(302)
  expect(callback.headers.get('location')).toBe(returnTo)
  return [start, page, answer, callback]
}

/** The unsafe request a page makes through the proxy: the CSRF header copied from its readable cookie. */
export function csrfHeaders(agent: Agent): Record<string, string> {
  return { 'x-xsrf-token': agent.cookies.get(BFF_CSRF) ?? '' }
}

/**
 * TEST-ONLY: the tokens the BFF holds for this browser, read from the store the backend was given
 * (the browser's HttpOnly cookie names the record). What B1 scans the page's answers for.
 */
export async function heldTokens(store: AuthStateStore, agent: Agent): Promise<BffTokens | undefined> {
  const id = agent.cookies.get(BFF_COOKIE)
  return id === undefined ? undefined : (await store.bffSessions.get(id))?.tokens
}

/** Everything the page can read of an answer: status line aside, its headers and its body. */
export function readable(response: AgentResponse): string {
  return `${[...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}\n${typeof response.body === 'string' ? response.body : JSON.stringify(response.body)}`
}

/**
 * Collects every answer the page got and every token the BFF's record held at that moment, so a
 * test can check that none of those tokens appears in any answer (B1).
 */
export function watchHeldTokens(store: AuthStateStore, agent: Agent) {
  const seen: AgentResponse[] = []
  const tokens = new Set<string>()
  const hold = async (response: AgentResponse) => {
    seen.push(response)
    const held = await heldTokens(store, agent)
    if (held) for (const token of [held.accessToken, held.refreshToken]) if (token) tokens.add(token)
    return response
  }
  return { seen, tokens, hold }
}
