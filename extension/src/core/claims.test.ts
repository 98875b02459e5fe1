import { describe, expect, it } from 'vitest'
import { classifyClaim, sensitiveClaims } from './claims.ts'

describe('classifyClaim', () => {
  it('E10 flags personal claims (OIDC standard claims and common custom names)', () => {
    for (const name of ['email', 'phone_number', 'address', 'name', 'given_name', 'family_name', 'birthdate', 'preferred_username', 'upn', 'homeAddress', 'mobilePhone']) {
      expect(classifyClaim(name), name).toBe('personal')
    }
  })

  it('flags secret-looking claims', () => {
    for (const name of ['password', 'client_secret', 'apiKey', 'api_key', 'private_key', 'credit_card', 'pin']) expect(classifyClaim(name), name).toBe('secret')
  })

  it('E10 negative: registered claims and verification flags are not personal data', () => {
    for (const name of ['sub', 'iss', 'aud', 'exp', 'iat', 'jti', 'scope', 'role', 'email_verified', 'phone_number_verified', 'updated_at', 'sid', 'nonce']) {
      expect(classifyClaim(name), name).toBeNull()
    }
  })

  it('lists the sensitive top-level claims of a payload', () => {
    expect(sensitiveClaims({ sub: 'u', email: 'a@b.c', role: 'admin', password: 'x' })).toEqual([
      { name: 'email', class: 'personal' },
      { name: 'password', class: 'secret' },
    ])
  })
})
