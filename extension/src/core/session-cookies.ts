/**
 * Session id cookies by name: the one-off names apps choose (`sid`, `__Host-sid`, `session_id`)
 * and the defaults of the common server frameworks. A default name tells anyone which framework
 * runs the site (OWASP Session Management Cheat Sheet, "Session ID Name Fingerprinting"), so the
 * audit points it out; the views name the framework so a person knows what issued the cookie.
 */

export interface SessionCookieName {
  /** The framework whose default this name is; null for a name of the app's own. */
  framework: string | null
}

const FRAMEWORK_DEFAULTS: ReadonlyMap<string, string> = new Map([
  ['connect.sid', 'Express (express-session)'],
  ['jsessionid', 'Java servlets (Tomcat, Jetty, Spring)'],
  ['phpsessid', 'PHP'],
  ['laravel_session', 'Laravel'],
  ['_session_id', 'Ruby on Rails'],
  ['asp.net_sessionid', 'ASP.NET'],
  ['.aspnetcore.session', 'ASP.NET Core'],
  ['.aspnetcore.cookies', 'ASP.NET Core cookie authentication'],
  ['.aspnetcore.identity.application', 'ASP.NET Core Identity'],
  ['sessionid', 'Django'],
  ['rack.session', 'Rack'],
  ['ci_session', 'CodeIgniter'],
  ['koa.sess', 'Koa'],
  ['koa:sess', 'Koa'],
  ['express:sess', 'Express (cookie-session)'],
  ['cfid', 'ColdFusion'],
  ['cftoken', 'ColdFusion'],
  ['beaker.session.id', 'Pylons / Pyramid (Beaker)'],
  ['next-auth.session-token', 'NextAuth.js'],
  ['authjs.session-token', 'Auth.js'],
])

/** Patterned defaults: Rails' cookie store (`_myapp_session`), Drupal (`SESS` + 32 hex digits). */
const FRAMEWORK_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/^_[a-z0-9]+(?:_[a-z0-9]+)*_session$/, 'Ruby on Rails'],
  [/^s?sess[0-9a-f]{32}$/, 'Drupal'],
]

/** Names of an app's own choosing that still plainly say "session id"; `bff` is what backend-for-frontend guides name theirs (`__Host-bff`). */
const GENERIC = /^(?:s?sid|sess|session|sessid|session[-_.]?id|bff|[a-z0-9]+[-_.](?:sid|sess|session|session[-_.]?id))$/

/** The name without a `__Host-` / `__Secure-` prefix (RFC 6265bis §4.1.3), lower-cased. */
function bareName(name: string): string {
  return name.replace(/^__(Host|Secure)-/, '').toLowerCase()
}

/** Whether a cookie of this name holds a session id, and whose default the name is. */
export function sessionCookieName(name: string): SessionCookieName | null {
  const bare = bareName(name)
  const framework = FRAMEWORK_DEFAULTS.get(bare) ?? FRAMEWORK_PATTERNS.find(([pattern]) => pattern.test(bare))?.[1]
  if (framework) return { framework }
  return GENERIC.test(bare) ? { framework: null } : null
}

export function isSessionCookieName(name: string): boolean {
  return sessionCookieName(name) !== null
}

/** "session id (Express (express-session) default name)" / "session id". */
export function describeSessionCookie(name: string): string | null {
  const found = sessionCookieName(name)
  if (!found) return null
  return found.framework ? `session id, ${found.framework} default name` : 'session id'
}
