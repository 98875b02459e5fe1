import { describe, expect, it } from 'vitest'
import { AuthError, isAuthError, scrub } from './errors.ts'

const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1X2FsaWNlIn0.MEUCIQDx4d0Gm1mTzXo0N2gQ-abc_def'

describe('scrub (S33)', () => {
  it('cuts JWTs and long base64url runs from text', () => {
    expect(scrub(`bad token ${jwt} here`)).toBe('bad token [redacted] here')
    expect(scrub('refresh abcdefghijklmnopqrstuvwxyz0123456789_- failed')).toBe('refresh [redacted] failed')
    expect(scrub(`Bearer ${jwt}`)).not.toContain('eyJ')
  })

  it('leaves ordinary words and short codes alone', () => {
    expect(scrub('login failed (401 invalid_credentials): invalid username or password')).toBe(
      'login failed (401 invalid_credentials): invalid username or password',
    )
  })
})

describe('AuthError', () => {
  it('scrubs its message and keeps code, status and Retry-After', () => {
    const error = new AuthError('refresh_failed', `server said ${jwt}`, 400, 3)
    expect(error.message).toBe('server said [redacted]')
    expect(error).toMatchObject({ name: 'AuthError', code: 'refresh_failed', status: 400, retryAfter: 3 })
    expect(error).toBeInstanceOf(Error)
    expect(String(error)).not.toContain(jwt)
    expect(error.stack ?? '').not.toContain(jwt)
  })

  it('is retryable for network, timeout and server errors only', () => {
    expect(['network', 'timeout', 'server_error'].map((code) => new AuthError(code as 'network', 'x').retryable)).toEqual([true, true, true])
    expect(['refresh_failed', 'refresh_token_reused', 'invalid_credentials', 'unauthorized'].map((code) => new AuthError(code as 'network', 'x').retryable)).toEqual([
      false,
      false,
      false,
      false,
    ])
  })

  it('isAuthError narrows by class and, optionally, by code', () => {
    const error = new AuthError('timeout', 'slow')
    expect(isAuthError(error)).toBe(true)
    expect(isAuthError(error, 'timeout')).toBe(true)
    expect(isAuthError(error, 'network')).toBe(false)
    expect(isAuthError(new Error('timeout'))).toBe(false)
    expect(isAuthError({ code: 'timeout', name: 'AuthError' })).toBe(false)
  })
})
