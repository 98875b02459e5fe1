import { describe, expect, it } from 'vitest'
import { isAuthLikeName, isCsrfName, roleFromName } from './auth-names.ts'

describe('auth names', () => {
  it('recognises credential names in any casing convention', () => {
    for (const name of ['access_token', 'accessToken', 'id_token', 'refresh-token', 'sid', 'rt', '__Host-sid', 'JSESSIONID', 'connect.sid', 'auth', 'my_session', 'jwt']) {
      expect(isAuthLikeName(name), name).toBe(true)
    }
  })

  it('does not treat CSRF tokens or look-alike words as credentials', () => {
    for (const name of ['XSRF-TOKEN', 'csrftoken', '_csrf', 'created_at', 'theme', 'author', 'token_type', 'expires_in', 'session_expires', 'auth_url']) {
      expect(isAuthLikeName(name), name).toBe(false)
    }
    expect(isCsrfName('X-XSRF-TOKEN')).toBe(true)
    expect(isCsrfName('session')).toBe(false)
  })

  it('infers the token role from the name', () => {
    expect(roleFromName('refresh_token')).toBe('refresh')
    expect(roleFromName('rt')).toBe('refresh')
    expect(roleFromName('id_token')).toBe('id')
    expect(roleFromName('accessToken')).toBe('access')
    expect(roleFromName('Authorization')).toBe('access')
    expect(roleFromName('sid')).toBeNull()
  })
})
