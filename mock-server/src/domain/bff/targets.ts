import { BackendError } from '../errors.ts'

/**
 * Where the browser may be sent after sign-in: a path on this origin, never another site. `//host`,
 * `/\host` (browsers read a backslash as a slash) and anything with a scheme would leave the origin
 * (an open redirect); control characters could split the header. Absent: the site's root.
 */
export function returnPath(value: string | null): string {
  if (value === null || value === '') return '/'
  if (value.length > 2048 || !value.startsWith('/') || /^\/[/\\]/.test(value) || /[\u0000-\u001f\u007f\\]/.test(value)) {
    throw new BackendError('invalid_request', 'returnTo must be a path on this site', { reason: 'return_to' })
  }
  // What a browser would make of it, resolved against a placeholder origin, must stay on that origin.
  const resolved = new URL(value, 'https://origin.invalid')
  if (resolved.origin !== 'https://origin.invalid') throw new BackendError('invalid_request', 'returnTo must be a path on this site', { reason: 'return_to' })
  return `${resolved.pathname}${resolved.search}${resolved.hash}`
}

/**
 * The one URL a proxied request may go to (OWASP SSRF, B3): `rest` is what followed the proxy's
 * prefix, still percent-encoded, and it names a path under `apiBase`, nothing else. Refused: an
 * empty or dot segment (`//host`, `..`, `%2e%2e`), an encoded slash or backslash (which a server
 * behind may decode into a traversal), control characters, malformed escapes. The result is
 * checked again after the URL parser has had its say.
 */
export function upstreamUrl(apiBase: URL, rest: string, search: string): URL {
  const segments = rest.split('/')
  for (const segment of segments) {
    let decoded: string
    try {
      decoded = decodeURIComponent(segment)
    } catch {
      throw refused('a path segment has a malformed percent-escape')
    }
    if (decoded === '' || decoded === '.' || decoded === '..') throw refused('empty and dot segments are not forwarded')
    if (/[/\\\u0000-\u001f\u007f]/.test(decoded)) throw refused('encoded slashes, backslashes and control characters are not forwarded')
  }
  const path = `${apiBase.pathname.replace(/\/$/, '')}/${rest}`
  const target = new URL(`${apiBase.origin}${path}${search}`)
  if (target.origin !== apiBase.origin || target.pathname !== path) {
    throw refused('the request does not name a path of the configured API')
  }
  return target
}

function refused(description: string): BackendError {
  return new BackendError('invalid_request', `not forwarded: ${description}`, { reason: 'upstream_path' })
}
