import { isAuthError, type AuthClient } from '@authlens/sdk'
import { oidc } from '@authlens/sdk/oidc'
import { create } from 'zustand'
import { entriesSince, logMark } from '../../app/log-store.ts'
import { oidcApp, type OidcAppId } from '../../backend-options.ts'
import { discoverProvider } from './discovery.ts'
import { describeJourney, recordDeparture, takeDeparture, type JourneyStep } from './journey.ts'

/** The scope both apps ask for: `offline_access` brings the refresh token that keeps them signed in. */
export const OIDC_SCOPE = 'openid profile offline_access'

/** The SDK's login method for app A or B, on the port this page was served from. */
export function oidcLogin(id: OidcAppId) {
  const app = oidcApp(id, location.port)
  return oidc({ issuer: app.issuer, clientId: app.clientId, redirectUri: app.redirectUri, postLogoutRedirectUri: app.postLogoutRedirectUri, scope: OIDC_SCOPE })
}

interface JourneyState {
  /** The steps of the last sign-in that came back to this page; `null` before any. */
  steps: JourneyStep[] | null
  finishing: boolean
  /** The callback's refusal, when it was refused. */
  refused: unknown
}

export const useJourney = create<JourneyState>()(() => ({ steps: null, finishing: false, refused: null }))

/** The provider's answer on this page: a `state` with a `code` or an `error`. */
export const isRedirectCallback = (url: URL): boolean => url.searchParams.has('state') && (url.searchParams.has('code') || url.searchParams.has('error'))

/**
 * Leaves for the provider's sign-in (`prompt: 'none'`: single sign-on or nothing), after noting
 * when and where for the step list the callback page builds.
 */
export async function signInAtProvider(client: AuthClient, id: OidcAppId, options: { prompt?: 'none' | 'login'; appState?: unknown } = {}): Promise<void> {
  const { authorization_endpoint: authorizationEndpoint } = await discoverProvider(oidcApp(id, location.port).issuer)
  recordDeparture({ at: Date.now(), prompt: options.prompt, authorizationEndpoint })
  await client.login(options)
}

/**
 * On the page the provider sent the browser back to: signs in (`handleRedirectCallback`), then
 * describes the trip from what this tab saw. Resolves with the app's state carried through, or
 * `undefined` when the callback was refused (the steps say why).
 */
export async function finishSignInAtProvider(client: AuthClient, id: OidcAppId, appName: string): Promise<unknown> {
  const arrival = { at: Date.now(), url: location.href }
  const departure = takeDeparture()
  const mark = logMark()
  useJourney.setState({ finishing: true })
  let appState: unknown
  let outcome: { claims: Record<string, unknown> } | { error: string }
  let refused: unknown = null
  try {
    appState = (await client.handleRedirectCallback()).appState
    outcome = { claims: client.getState().user ?? {} }
  } catch (error) {
    refused = error
    outcome = { error: isAuthError(error) ? error.code : String(error) }
  }
  const requests = entriesSince(mark, 'http')
  const { issuer } = oidcApp(id, location.port)
  useJourney.setState({ finishing: false, refused, steps: describeJourney({ app: appName, departure, arrival, requests, issuer, outcome, finishedAt: Date.now() }) })
  return appState
}

/** Set while this tab is signed in with the provider: a flag, never a token. */
const signedInFlag = (id: OidcAppId) => `authlens-demo:oidc-${id}:signed-in`

/**
 * Keeps the tokens in memory, as the browser-apps BCP prefers, and the sign-in across a reload
 * anyway: a tab that was signed in and finds no tokens after the restore (no other tab to hand
 * them over) asks the provider again with `prompt=none`. The provider session answers without a
 * page; without one, the callback ends with `login_required` and the tab is signed out.
 * Returns the unsubscribe.
 */
export function resumeSignInAcrossReloads(client: AuthClient, id: OidcAppId): () => void {
  const flag = signedInFlag(id)
  const stops = [client.on('login', () => sessionStorage.setItem(flag, '1')), client.on('logout', () => sessionStorage.removeItem(flag))]
  if (!isRedirectCallback(new URL(location.href)) && sessionStorage.getItem(flag)) {
    void client.ready.then(() => {
      if (client.getState().status === 'authenticated') return
      sessionStorage.removeItem(flag)
      return signInAtProvider(client, id, { prompt: 'none', appState: { returnTo: `${location.pathname}${location.search}${location.hash}` } })
    })
  }
  return () => stops.forEach((stop) => stop())
}
