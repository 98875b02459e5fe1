import { jwt, session, type AuthClientOptions, type JwtOptions } from '@authlens/sdk'
import { bff } from '@authlens/sdk/bff'
import { devtools } from '@authlens/sdk/devtools'
import { dpop, type Dpop } from '@authlens/sdk/dpop'
import { cookieStorage, webStorage } from '@authlens/sdk/storage'
import { backendInWorker } from './app/runtime.ts'
import { oidcApp } from './backend-options.ts'
import { BFF } from './features/bff/bff-routes.ts'
import { oidcLogin } from './features/sso/provider-sign-in.ts'

/** The auth modes of DESIGN.md ("The auth modes"), as the demo offers them. */
export const MODE_IDS = ['session', 'memory', 'dpop', 'localStorage', 'sessionStorage', 'cookie', 'oidc', 'bff'] as const
export type ModeId = (typeof MODE_IDS)[number]

/** Where a piece of the credential lives, and whether a script on the page can read it. */
export interface Holding {
  what: string
  where: string
  readableByScript: boolean
}

export interface DemoMode {
  id: ModeId
  label: string
  summary: string
  strategy: 'jwt' | 'session'
  /** Where the JWT modes keep their tokens (the session mode: nowhere a script can reach). */
  storage: 'memory' | 'localStorage' | 'sessionStorage' | 'cookie' | null
  /** Exactly what the demo passes to `createAuthClient` (plus its logging `fetch`). */
  options: AuthClientOptions
  /** How the notes dashboard talks to the protected API: the SDK's fetch, or axios with its adapter. */
  notesVia: 'auth.fetch' | 'axios'
  holds: Holding[]
  /** The refresh token is in storage a script can read, so it can be stolen and replayed. */
  refreshTokenReadable: boolean
  /** The `dpop()` value the mode's client signs with, so the card can ask which key that is. */
  dpop?: Dpop
  /**
   * A password form on this page, a trip to the OpenID Provider's sign-in page for this app's own
   * tokens, or one the backend-for-frontend makes for the tokens it keeps.
   */
  signIn: 'password' | 'provider' | 'bff'
  /** Why this build cannot offer the mode; shown beside its disabled choice. */
  unavailable?: string
}

/**
 * Shared by every mode. `name` keys the SDK's storage (and its cross-tab channel and record), so
 * each mode keeps its own credential: switching modes never adopts the tokens another mode left
 * behind, and two tabs only coordinate when they are in the same mode. The devtools bridge feeds
 * AuthLens DevTools.
 */
const common = (id: ModeId, strategy: AuthClientOptions['strategy']): AuthClientOptions => ({
  strategy,
  baseURL: '/api',
  name: `demo-${id}`,
  plugins: [devtools()],
})

/** A 10 s leeway on the demo's 30 s tokens makes the proactive refresh visible every ~20 s. */
const demoJwt = (options: JwtOptions) => jwt({ leewaySeconds: 10, ...options })

const NAVIGATIONS = 'needs npm start: the provider’s pages are navigations, and a service worker cannot answer them'

/** One value for the mode's clients: a mode switch makes a new client, and the card asks the latest for its key. */
const dpopProofs = dpop()

export const MODES: Record<ModeId, DemoMode> = {
  session: {
    id: 'session',
    label: 'Session (HttpOnly session cookie)',
    summary: 'The server keeps the session; the browser holds an opaque id it cannot read. Unsafe requests carry a CSRF header.',
    strategy: 'session',
    storage: null,
    options: common('session', session()),
    notesVia: 'auth.fetch',
    holds: [
      { what: 'Session id', where: 'HttpOnly cookie (sid), sent automatically to this origin', readableByScript: false },
      { what: 'CSRF token', where: 'XSRF-TOKEN cookie, copied into the X-XSRF-TOKEN header', readableByScript: true },
    ],
    refreshTokenReadable: false,
    signIn: 'password',
  },
  memory: {
    id: 'memory',
    label: 'JWT in memory + HttpOnly refresh cookie',
    summary: 'The access JWT lives in a JavaScript variable inside the SDK; the refresh token in an HttpOnly cookie only /api/auth receives.',
    strategy: 'jwt',
    storage: 'memory',
    options: common('memory', demoJwt({ refreshTokenTransport: 'cookie' })),
    notesVia: 'axios',
    holds: [
      { what: 'Access token (JWT)', where: 'memory of this page (lost on reload, restored by a silent refresh)', readableByScript: false },
      { what: 'Refresh token', where: 'HttpOnly cookie (rt), Path=/api/auth', readableByScript: false },
      { what: 'CSRF token', where: 'XSRF-TOKEN cookie, sent with the cookie-borne refresh', readableByScript: true },
    ],
    refreshTokenReadable: false,
    signIn: 'password',
  },
  dpop: {
    id: 'dpop',
    label: 'JWT + DPoP (memory)',
    summary:
      'As the memory mode, and the tokens are bound to a key pair of this browser (RFC 9449): each API request carries Authorization: DPoP and a proof signed with a private key no script can read or export. A copied token is refused anywhere else.',
    strategy: 'jwt',
    storage: 'memory',
    options: common('dpop', demoJwt({ refreshTokenTransport: 'cookie', dpop: dpopProofs })),
    notesVia: 'auth.fetch',
    holds: [
      { what: 'Access token (JWT, cnf.jkt)', where: 'memory of this page, sent as Authorization: DPoP with a fresh proof per request', readableByScript: false },
      { what: 'DPoP private key', where: 'IndexedDB, as a non-extractable CryptoKey: usable to sign while a page is open, never readable', readableByScript: false },
      { what: 'Refresh token', where: 'HttpOnly cookie (rt), Path=/api/auth; bound to the key, so a refresh needs a proof too', readableByScript: false },
      { what: 'CSRF token', where: 'XSRF-TOKEN cookie, sent with the cookie-borne refresh', readableByScript: true },
    ],
    refreshTokenReadable: false,
    dpop: dpopProofs,
    signIn: 'password',
  },
  localStorage: {
    id: 'localStorage',
    label: 'JWT in localStorage',
    summary: 'Access and refresh token in localStorage: shared by every tab, kept after the browser closes, readable by any script on the origin.',
    strategy: 'jwt',
    storage: 'localStorage',
    options: common('localStorage', demoJwt({ storage: webStorage('localStorage') })),
    notesVia: 'axios',
    holds: [{ what: 'Access and refresh token', where: 'localStorage (persists across tabs and restarts)', readableByScript: true }],
    refreshTokenReadable: true,
    signIn: 'password',
  },
  sessionStorage: {
    id: 'sessionStorage',
    label: 'JWT in sessionStorage',
    summary: 'Access and refresh token in sessionStorage: kept across reloads of this tab, readable by any script in it.',
    strategy: 'jwt',
    storage: 'sessionStorage',
    options: common('sessionStorage', demoJwt({ storage: webStorage('sessionStorage') })),
    notesVia: 'auth.fetch',
    holds: [{ what: 'Access and refresh token', where: 'sessionStorage (this tab)', readableByScript: true }],
    refreshTokenReadable: true,
    signIn: 'password',
  },
  cookie: {
    id: 'cookie',
    label: 'JWT in a JS-readable cookie',
    summary: 'Access and refresh token in a cookie written by script (SameSite=Strict, not HttpOnly), sent as a Bearer header.',
    strategy: 'jwt',
    storage: 'cookie',
    options: common('cookie', demoJwt({ storage: cookieStorage() })),
    notesVia: 'auth.fetch',
    holds: [{ what: 'Access and refresh token', where: 'a JS-readable cookie (document.cookie)', readableByScript: true }],
    refreshTokenReadable: true,
    signIn: 'password',
  },
  oidc: {
    id: 'oidc',
    label: 'OIDC (code + PKCE)',
    summary:
      'Sign-in at the OpenID Provider’s own page (Authorization Code + PKCE); this app gets an ID token (who signed in) and an access token (for the API). The provider’s session cookie signs you in to app B, on another origin, without a password.',
    strategy: 'jwt',
    storage: 'memory',
    // Memory, as the browser-apps BCP prefers: a reload keeps the sign-in through the provider's
    // session (a prompt=none round trip, see resumeSignInAcrossReloads), not through storage.
    options: common('oidc', demoJwt({ login: oidcLogin('a') })),
    notesVia: 'auth.fetch',
    holds: [
      { what: 'ID token (JWT)', where: 'memory of this page, with the other two: its claims are the user', readableByScript: false },
      { what: 'Access token (JWT)', where: 'memory of this page, sent as Authorization: Bearer', readableByScript: false },
      { what: 'Refresh token', where: 'memory of this page, rotated at every refresh', readableByScript: false },
      { what: 'Provider session', where: `HttpOnly cookie of the provider (${oidcApp('a', location.port).issuer}): what signs app B in, and this tab again after a reload`, readableByScript: false },
    ],
    refreshTokenReadable: false,
    signIn: 'provider',
    ...(backendInWorker && { unavailable: NAVIGATIONS }),
  },
  bff: {
    id: 'bff',
    label: 'BFF (tokens stay on the server)',
    summary:
      'A backend-for-frontend signs in at the provider as a confidential client and keeps the tokens in its session record; this page holds an HttpOnly session cookie and calls the API through the BFF’s proxy, which adds the token and refreshes it server-side.',
    strategy: 'session',
    storage: null,
    // The SDK's session strategy at the BFF's routes: its proxy is the API; sign-in is a navigation
    // through the BFF, and sign-out goes on to the provider's end-session page.
    options: { ...common('bff', bff()), baseURL: BFF.api },
    notesVia: 'auth.fetch',
    holds: [
      { what: 'Session id', where: 'HttpOnly cookie (__Host-bff, SameSite=Strict), sent to this origin only', readableByScript: false },
      { what: 'CSRF token', where: 'BFF-XSRF-TOKEN cookie, copied into the X-XSRF-TOKEN header', readableByScript: true },
      { what: 'Access and refresh token', where: 'the BFF’s session record on the server: never sent to this page', readableByScript: false },
    ],
    refreshTokenReadable: false,
    signIn: 'bff',
    ...(backendInWorker && { unavailable: NAVIGATIONS }),
  },
}

export const isModeId = (value: unknown): value is ModeId => MODE_IDS.includes(value as ModeId)

/**
 * The mode named in the URL (`?mode=`), so a second tab opens in the same mode; the provider's
 * callback, whose URL is registered exactly and carries no mode, is the OIDC mode's.
 */
export function modeFromUrl(url: URL): ModeId {
  const value = url.pathname === new URL(oidcApp('a', url.port).redirectUri).pathname ? 'oidc' : url.searchParams.get('mode')
  return isModeId(value) && !MODES[value].unavailable ? value : 'memory'
}

/** The same page in another mode; the hash (which section is shown) is kept. */
export function urlForMode(url: URL, mode: ModeId): string {
  const next = new URL(url)
  next.searchParams.set('mode', mode)
  return `${next.pathname}${next.search}${next.hash}`
}
