import { describe, expect, it } from 'vitest'
import { describeSessionCookie, sessionCookieName } from './session-cookies.ts'

describe('session cookie names', () => {
  it('names the frameworks whose default session cookie this is', () => {
    const frameworks = {
      'connect.sid': 'Express (express-session)',
      JSESSIONID: 'Java servlets (Tomcat, Jetty, Spring)',
      PHPSESSID: 'PHP',
      laravel_session: 'Laravel',
      _session_id: 'Ruby on Rails',
      _shop_app_session: 'Ruby on Rails',
      'ASP.NET_SessionId': 'ASP.NET',
      sessionid: 'Django',
      ci_session: 'CodeIgniter',
      SESS0123456789abcdef0123456789abcdef: 'Drupal',
      '__Secure-next-auth.session-token': 'NextAuth.js',
      '.AspNetCore.Cookies': 'ASP.NET Core cookie authentication',
    }
    for (const [name, framework] of Object.entries(frameworks)) expect(sessionCookieName(name), name).toEqual({ framework })
  })

  it('knows an app’s own session id names, prefixes included, and nothing else', () => {
    for (const name of ['__Host-sid', 'sid', 'session', 'session_id', 'app.sid', 'my-session', '__Secure-session-id', '__Host-bff']) expect(sessionCookieName(name), name).toEqual({ framework: null })
    for (const name of ['XSRF-TOKEN', 'theme', 'access_token', 'rt', 'session_expires', 'sidebar', 'consent']) expect(sessionCookieName(name), name).toBeNull()
    expect(describeSessionCookie('__Host-sid')).toBe('session id')
    expect(describeSessionCookie('PHPSESSID')).toBe('session id, PHP default name')
    expect(describeSessionCookie('theme')).toBeNull()
  })
})
