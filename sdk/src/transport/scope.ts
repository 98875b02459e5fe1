/**
 * Where the credential may go: `baseURL`'s origin and path prefix, nothing else (RFC 6750 §5.3,
 * S14). Relative URLs resolve against `baseURL`, then against the page.
 */
export function createScope(baseURL: string) {
  let cached: { page: string; base: URL } | undefined
  // Parsed once per page address (every request asks): a relative `baseURL` follows navigation.
  const base = () => {
    const page = globalThis.location?.href ?? 'http://localhost/'
    if (cached?.page !== page) cached = { page, base: new URL(baseURL, page) }
    return cached.base
  }
  return {
    resolve(url: string): URL {
      // Paths are relative to the API root ('/me' under '/api' is '/api/me'); full URLs and
      // protocol-relative ones stand as written.
      if (url.startsWith('/') && !url.startsWith('//')) return new URL(joinPath(base().pathname, url), base())
      // 'me' is under the API root too, as axios would have it, not next to it.
      return new URL(url, base().href.replace(/\/?$/, '/'))
    },
    contains(url: URL): boolean {
      const root = base()
      if (url.origin !== root.origin) return false
      const prefix = root.pathname.replace(/\/+$/, '')
      return url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)
    },
  }
}

function joinPath(prefix: string, path: string): string {
  const root = prefix.replace(/\/+$/, '')
  return path === root || path.startsWith(`${root}/`) ? path : `${root}${path}`
}

export type Scope = ReturnType<typeof createScope>

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS', 'TRACE']

export const isUnsafeMethod = (method: string | undefined): boolean => !SAFE_METHODS.includes((method ?? 'GET').toUpperCase())
