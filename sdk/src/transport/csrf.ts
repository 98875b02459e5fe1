import type { Scope } from './scope.ts'

export interface CsrfOptions {
  /** The readable cookie the server sets. Default `XSRF-TOKEN`. */
  cookie?: string
  /** The header it is copied into on cookie-borne unsafe requests. Default `X-XSRF-TOKEN`. */
  header?: string
}

/** The cookie's value, or null (also where there is no document: Node, SSR). */
export function readCookie(name: string): string | null {
  for (const pair of globalThis.document?.cookie.split('; ') ?? []) {
    const index = pair.indexOf('=')
    if (decodeURIComponent(pair.slice(0, index)) === name) return decodeURIComponent(pair.slice(index + 1))
  }
  return null
}

/** Double-submit CSRF (S15): the server's readable cookie, echoed in a header it checks. */
export function createCsrf(scope: Scope, { cookie = 'XSRF-TOKEN', header = 'X-XSRF-TOKEN' }: CsrfOptions = {}) {
  const headers = (): Record<string, string> => {
    const token = readCookie(cookie)
    return token ? { [header]: token } : {}
  }
  return {
    headers,
    /**
     * False only when a cookie-borne sign-in certainly does not exist. It always comes with the
     * readable CSRF cookie: with the API on this origin, its absence means there is nothing to
     * restore, so no probe and no 4xx in the console on every signed-out page load. Cross-origin,
     * that cookie is not ours to read, so we must ask.
     */
    hint: () => typeof document === 'undefined' || scope.resolve('/').origin !== globalThis.location?.origin || header in headers(),
  }
}

export type Csrf = ReturnType<typeof createCsrf>
