/**
 * Where the credential may go: `baseURL`'s origin and path prefix, nothing else (RFC 6750 §5.3,
 * S14). Relative URLs resolve against `baseURL`, then against the page.
 */
export function createScope(baseURL: string) {
  let cached: { page: string; base: URL; prefix: string } | undefined
  // Parsed once per page address (every request asks): a relative `baseURL` follows navigation.
  const root = () => {
    const page = globalThis.location?.href ?? 'http://localhost/'
    if (cached?.page !== page) {
      const base = new URL(baseURL, page)
      cached = { page, base, prefix: base.pathname.replace(/\/+$/, '') }
    }
    return cached
  }
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`)
  return {
    resolve(url: string): URL {
      const { base, prefix } = root()
      // Paths are relative to the API root ('/me' under '/api' is '/api/me', as is 'me', as axios
      // would have it); a path already under the root, a full or a protocol-relative URL stands.
      return new URL(url[0] === '/' && url[1] !== '/' && !under(url, prefix) ? prefix + url : url, `${base.origin}${prefix}/`)
    },
    contains(url: URL): boolean {
      const { base, prefix } = root()
      return url.origin === base.origin && under(url.pathname, prefix)
    },
  }
}

export type Scope = ReturnType<typeof createScope>

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS', 'TRACE']

export const isUnsafeMethod = (method: string | undefined): boolean => !SAFE_METHODS.includes((method ?? 'GET').toUpperCase())
