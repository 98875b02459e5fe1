/** The backend-for-frontend's routes on this origin (mock-server/README.md, "Backend-for-frontend"). */
export const BFF = {
  login: '/bff/login',
  session: '/bff/session',
  logout: '/bff/logout',
  api: '/bff/api',
  /** The readable double-submit cookie, apart from the session mode's XSRF-TOKEN. */
  csrfCookie: 'BFF-XSRF-TOKEN',
} as const

/** Sign-in is a navigation: the BFF sends the browser to the provider, and back to `returnTo`. */
export const bffLoginUrl = (returnTo: string): string => `${BFF.login}?${new URLSearchParams({ returnTo })}`

/** What `GET /bff/session` says about the session record: who, until when, which tokens it holds. */
export interface BffSessionFacts {
  user: Record<string, unknown>
  expiresAt: number
  absoluteExpiresAt: number
  accessTokenExpiresAt: number
  refreshToken: boolean
}

const time = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : Number.NaN)

export function parseBffSession(body: unknown): BffSessionFacts | null {
  const value = (body ?? {}) as { user?: unknown; expiresAt?: unknown; absoluteExpiresAt?: unknown; tokens?: { accessTokenExpiresAt?: unknown; refreshToken?: unknown } }
  const facts = {
    user: typeof value.user === 'object' && value.user !== null ? (value.user as Record<string, unknown>) : {},
    expiresAt: time(value.expiresAt),
    absoluteExpiresAt: time(value.absoluteExpiresAt),
    accessTokenExpiresAt: time(value.tokens?.accessTokenExpiresAt),
    refreshToken: value.tokens?.refreshToken === true,
  }
  return [facts.expiresAt, facts.absoluteExpiresAt, facts.accessTokenExpiresAt].some(Number.isNaN) ? null : facts
}

/** The session record as the BFF describes it, or null when signed out (or the answer is not one). */
export async function readBffSession(fetchImpl: typeof fetch): Promise<BffSessionFacts | null> {
  const response = await fetchImpl(BFF.session, { credentials: 'same-origin' })
  return response.ok ? parseBffSession(await response.json()) : null
}
