/**
 * Which names (cookie names, storage keys, JSON fields, query parameters) say "credential". Used by
 * detection and by the cookie rules. CSRF tokens are excluded on purpose: a double-submit cookie
 * must be readable by page JavaScript (OWASP CSRF Prevention), so flagging it would be noise.
 */

/** Matched against whole words of a name: `accessToken`, `access_token`, `my-session` all match. */
const AUTH_WORDS = new Set([
  'token', 'tokens', 'jwt', 'jwe', 'auth', 'authtoken', 'authorization', 'bearer', 'credential', 'credentials',
  'session', 'sessionid', 'sess', 'sid', 'ssid', 'jsessionid', 'phpsessid', 'accesstoken', 'refreshtoken', 'idtoken',
  'remember', 'rememberme',
])

/** Short names that are credentials only when they are the whole name (`rt`, not `created_at`). */
const WHOLE_NAMES = new Set(['rt', 'at', 'id_token', 'sid', 'connect.sid', 'asp.net_sessionid'])

/** Words that describe a credential without being one: `token_type`, `session_expires`, `auth_url`. */
const METADATA_WORDS = new Set(['type', 'expires', 'expiry', 'expiration', 'exp', 'ttl', 'scope', 'scopes', 'lifetime', 'timeout', 'url', 'uri', 'endpoint', 'count'])

const CSRF = /(^|[^a-z])(csrf|xsrf)|^_?csrf|antiforgery/i

export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
}

export function isCsrfName(name: string): boolean {
  return CSRF.test(name)
}

/** True for names that usually hold a credential: session ids, access/refresh/ID tokens. */
export function isAuthLikeName(name: string): boolean {
  if (name.length === 0 || name.length > 256 || isCsrfName(name)) return false
  const bare = name.replace(/^__(Host|Secure)-/, '').toLowerCase()
  if (WHOLE_NAMES.has(bare)) return true
  const words = nameWords(bare)
  return words.some((word) => AUTH_WORDS.has(word)) && !words.some((word) => METADATA_WORDS.has(word))
}

/** The role a name suggests for the token it holds. */
export function roleFromName(name: string): 'access' | 'id' | 'refresh' | null {
  const words = nameWords(name)
  const joined = words.join('')
  if (joined.includes('refresh') || name.toLowerCase() === 'rt') return 'refresh'
  if (joined.includes('idtoken') || (words.includes('id') && words.includes('token'))) return 'id'
  if (joined.includes('access') || name.toLowerCase() === 'authorization' || name.toLowerCase() === 'at') return 'access'
  return null
}
