import { createAuthClient, jwt, memoryStorage, session, type AuthClient, type JwtOptions } from '@authlens/sdk'
import { cookieStorage, webStorage } from '@authlens/sdk/storage'

/**
 * The lab signs in as bob, so the live demo (usually alice) keeps its notes; logging bob out
 * revokes only bob's sessions and refresh families.
 */
export const LAB_USER = { username: 'bob', password: 'builder-bob' } as const

/** The counters of `GET /__mock/stats` the lab reads. */
export interface LabStats {
  signatureVerifications: number
  sessionLookups: number
  csrfRejections: number
  refreshes: number
  unauthorized: number
  revokedAccessTokens: number
  liveSessions: number
  clockOffsetSeconds: number
  revokeAccessTokenOnLogout: boolean
  /** Requests per route, keyed `METHOD /path` (e.g. `POST /api/notes`). */
  requests: Record<string, number>
  /** Answers per route and status, keyed `METHOD /path status` (e.g. `POST /api/notes 415`). */
  responses: Record<string, number>
  /** DPoP proofs the server accepted. */
  dpopVerified: number
}

const num = (value: unknown): number => (typeof value === 'number' ? value : 0)

const counts = (value: unknown): Record<string, number> =>
  typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value).map(([key, count]) => [key, num(count)])) : {}

export async function stats(): Promise<LabStats> {
  const response = await fetch('/__mock/stats')
  if (!response.ok) throw new Error(`/__mock/stats answered ${response.status}`)
  const body = (await response.json()) as Record<string, unknown>
  return {
    signatureVerifications: num(body.signatureVerifications),
    sessionLookups: num(body.sessionLookups),
    csrfRejections: num(body.csrfRejections),
    refreshes: num(body.refreshes),
    unauthorized: num(body.unauthorized),
    revokedAccessTokens: num(body.revokedAccessTokens),
    liveSessions: num(body.liveSessions),
    clockOffsetSeconds: num(body.clockOffsetSeconds),
    revokeAccessTokenOnLogout: body.revokeAccessTokenOnLogout !== false,
    requests: counts(body.requests),
    responses: counts(body.responses),
    dpopVerified: num(typeof body.dpop === 'object' && body.dpop !== null ? (body.dpop as Record<string, unknown>).verified : undefined),
  }
}

/** A `/__mock/*` control; the lab's only way to change the server, like the break-it panel's. */
export async function control(path: 'clock' | 'settings' | 'revoke' | 'csrf-defences', body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`/__mock/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  if (!response.ok) throw new Error(`/__mock/${path} answered ${response.status}`)
}

export type LabMode = 'session' | 'memory' | 'localStorage' | 'sessionStorage' | 'cookie'

const STORAGE = { memory: memoryStorage, localStorage: () => webStorage('localStorage'), sessionStorage: () => webStorage('sessionStorage'), cookie: cookieStorage }

/** The dev server's second API: the same backend signing with HS256 (demo-spa/vite.config.ts). */
export const HS256_API = '/hs256/api'

/**
 * A throwaway SDK client for one experiment. Its own `name` keeps its storage apart from the live
 * demo's; no restore (start signed out) and no cross-tab channel (nothing reaches other tabs).
 * Memory mode uses the body transport unless told otherwise: the refresh cookie is per origin and
 * would replace the live demo's.
 */
export function labClient(mode: LabMode, extra: JwtOptions = {}, baseURL = '/api'): AuthClient {
  const strategy = mode === 'session' ? session() : jwt({ storage: STORAGE[mode](), leewaySeconds: 10, ...extra })
  return createAuthClient({ strategy, baseURL, name: `lab-${mode}${baseURL === '/api' ? '' : baseURL}`, restore: false, crossTab: false })
}

/** Signs in, runs `body`, and always signs out and lets go of the client (timers, channels). */
export async function withClient<T>(client: AuthClient, body: (client: AuthClient) => Promise<T>): Promise<T> {
  return withClients([client], () => body(client))
}

/** `withClient` for several clients signed in at once. */
export async function withClients<T>(clients: AuthClient[], body: () => Promise<T>): Promise<T> {
  try {
    await Promise.all(clients.map((client) => client.login(LAB_USER)))
    return await body()
  } finally {
    await Promise.all(clients.map((client) => client.logout().catch(() => undefined)))
    for (const client of clients) client.destroy()
  }
}

/** An access token the client holds right now (throws rather than measuring nothing). */
export async function accessToken(client: AuthClient): Promise<string> {
  const token = await client.getAccessToken()
  if (!token) throw new Error('signed in but no access token')
  return token
}

/** `GET /api/me` with exactly the credential given: a bearer token, or the browser's cookies. */
export async function me(credential: { bearer: string } | 'cookies'): Promise<Response> {
  return credential === 'cookies'
    ? fetch('/api/me', { credentials: 'same-origin' })
    : fetch('/api/me', { credentials: 'omit', headers: { Authorization: `Bearer ${credential.bearer}` } })
}

/** The `error` and `reason` of a JSON error answer, e.g. `invalid_token (revoked)`. */
export async function failure(response: Response): Promise<string> {
  if (response.ok) return `${response.status}`
  try {
    const body = (await response.json()) as { error?: unknown; reason?: unknown }
    const reason = typeof body.reason === 'string' ? ` (${body.reason})` : ''
    return `${response.status} ${String(body.error)}${reason}`
  } catch {
    return `${response.status}`
  }
}

/** UTF-8 bytes, which is what goes over the wire for a header. */
export const bytes = (text: string): number => new TextEncoder().encode(text).length

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits

/** The claims of a JWT (no signature check: that is the JWKS experiment's job). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? ''
  const base64 = payload.replace(/-/g, '+').replace(/_/g, '/')
  const json = new TextDecoder().decode(Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0)))
  return JSON.parse(json) as Record<string, unknown>
}
