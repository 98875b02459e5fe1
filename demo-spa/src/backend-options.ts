import type { BffOptions, MockBackendOptions, OidcClientConfig } from '@authlens/mock-server'

/**
 * One backend configuration for both runtimes (the dev server's HTTP backend and the service
 * worker), so the demo behaves the same in each. Access tokens are short on purpose: with a
 * 30 s lifetime a person watching the page sees the SDK refresh every 20 s or so.
 */
export const demoBackendOptions = {
  accessTokenTtlSeconds: 30,
} satisfies MockBackendOptions

/**
 * The dev server's second backend, for the lab: HS256 instead of ES256, under its own path and with
 * its own cookie names, so signing in or out there never touches the main backend's cookies.
 */
export const hs256Service = {
  algorithm: 'HS256',
  basePath: '/hs256',
  cookieNames: { session: 'hs256-sid', csrf: 'HS256-XSRF-TOKEN', refresh: 'hs256-rt' },
} satisfies MockBackendOptions

/**
 * The OpenID Provider's two first-party apps, both served by the dev server under two host names,
 * so two origins and two sites: app A (this demo) on the provider's own host, app B on the other.
 * The provider's session cookie lives on 127.0.0.1, so it is what lets B sign in without a password.
 */
export const PROVIDER_HOST = '127.0.0.1'

export type OidcAppId = 'a' | 'b'

const OIDC_APPS = {
  // Back from the provider's sign-out into the mode that left for it.
  a: { clientId: 'authlens-demo', name: 'AuthLens demo (app A)', host: PROVIDER_HOST, home: '/', callback: '/callback', signedOut: '/?mode=oidc' },
  // One page: Vite's history fallback serves the root app for unknown paths, not app B's.
  b: { clientId: 'authlens-demo-b', name: 'App B', host: 'localhost', home: '/app-b/', callback: '/app-b/', signedOut: '/app-b/' },
} as const

/** Where an app lives and what it is registered with, on the server's port. */
export function oidcApp(id: OidcAppId, port: string | number) {
  const { clientId, name, host, home, callback, signedOut } = OIDC_APPS[id]
  const origin = `http://${host}:${port}`
  return {
    clientId,
    name,
    origin,
    home: `${origin}${home}`,
    issuer: `http://${PROVIDER_HOST}:${port}`,
    redirectUri: `${origin}${callback}`,
    postLogoutRedirectUri: `${origin}${signedOut}`,
  }
}

/** The registrations, once the dev server's port is known. */
export const demoOidcClients = (port: number): OidcClientConfig[] =>
  (['a', 'b'] as const).map((id) => {
    const app = oidcApp(id, port)
    return { clientId: app.clientId, name: app.name, redirectUris: [app.redirectUri], postLogoutRedirectUris: [app.postLogoutRedirectUri], firstParty: true }
  })

/**
 * The BFF mode: the main backend is also a backend-for-frontend, a confidential client of its own
 * provider (defaults: client `authlens-bff`, callback `/bff/callback`, API `/api`). Sign-out comes
 * back through the provider's end-session to that mode.
 */
export const demoBff = (port: number): BffOptions => ({ postLogoutRedirectUri: `http://${PROVIDER_HOST}:${port}/?mode=bff` })

/**
 * The lab's token-mediating backend (browser-apps BCP §6.2): a backend of its own under /tmb, whose
 * BFF hands the access token to the page. Its own cookie names, so it never touches the BFF mode's
 * session: on the main backend no route hands a token out.
 */
export const tokenMediatingService = {
  basePath: '/tmb',
  cookieNames: { session: 'tmb-sid', csrf: 'TMB-XSRF-TOKEN', refresh: 'tmb-rt', providerSession: 'tmb-op', bffSession: 'tmb-bff', bffCsrf: 'TMB-BFF-XSRF-TOKEN' },
} satisfies MockBackendOptions
