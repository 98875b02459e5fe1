import { describe, expect, it } from 'vitest'
import { AuthError } from './errors.ts'
import { withoutSignature } from './devtools/index.ts'
import { parseStoredTokens, readTokenSet, serializeTokens } from './token.ts'

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const jwt = (claims: unknown, signature = 'c2lnbmF0dXJl') => `${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64(claims)}.${signature}`
const NOW = 1_900_000_000_000
const claims = { iss: 'https://auth.example', aud: ['api', 'other'], sub: 'u_1', iat: 1_900_000_000, exp: 1_900_000_300 }

const refusal = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError)
    return (error as AuthError).code
  }
  throw new Error('expected a refusal')
}

describe('readTokenSet', () => {
  it('reads claims and expiry (server-time ms from exp) and keeps the refresh token', () => {
    const token = jwt(claims)
    expect(readTokenSet({ accessToken: token, refreshToken: 'r-1', expiresIn: 999 }, NOW, {})).toEqual({ accessToken: token, refreshToken: 'r-1', claims, expiresAt: 1_900_000_300_000 })
  })

  it('falls back to expires_in for a token without exp, else no expiry', () => {
    const token = jwt({ sub: 'u_1' })
    expect(readTokenSet({ accessToken: token, expiresIn: 60 }, NOW, {}).expiresAt).toBe(NOW + 60_000)
    expect(readTokenSet({ accessToken: token }, NOW, {}).expiresAt).toBeNull()
    expect(readTokenSet({ accessToken: token, expiresIn: '60' }, NOW, {}).expiresAt).toBeNull()
  })

  it('an answer without a refresh token keeps the previous one (RFC 6749 §6, S29); one with a new token replaces it', () => {
    const previous = readTokenSet({ accessToken: jwt(claims), refreshToken: 'r-1' }, NOW, {})
    expect(readTokenSet({ accessToken: jwt(claims) }, NOW, {}, previous).refreshToken).toBe('r-1')
    expect(readTokenSet({ accessToken: jwt(claims), refreshToken: 'r-2' }, NOW, {}, previous).refreshToken).toBe('r-2')
  })

  it('an absent or empty refresh token is left out of the set', () => {
    expect(readTokenSet({ accessToken: jwt(claims) }, NOW, {})).not.toHaveProperty('refreshToken')
    expect(readTokenSet({ accessToken: jwt(claims), refreshToken: '' }, NOW, {})).not.toHaveProperty('refreshToken')
  })

  it('checks issuer and audience when configured (aud as a string or a list)', () => {
    expect(readTokenSet({ accessToken: jwt(claims) }, NOW, { issuer: 'https://auth.example', audience: 'other' }).claims.sub).toBe('u_1')
    expect(readTokenSet({ accessToken: jwt({ ...claims, aud: 'api' }) }, NOW, { audience: 'api' }).claims.sub).toBe('u_1')
    expect(refusal(() => readTokenSet({ accessToken: jwt(claims) }, NOW, { issuer: 'https://auth.example/' }))).toBe('invalid_response')
    expect(refusal(() => readTokenSet({ accessToken: jwt(claims) }, NOW, { audience: 'billing' }))).toBe('invalid_response')
    expect(refusal(() => readTokenSet({ accessToken: jwt({ sub: 'u_1' }) }, NOW, { issuer: 'https://auth.example' }))).toBe('invalid_response')
    expect(refusal(() => readTokenSet({ accessToken: jwt({ sub: 'u_1' }) }, NOW, { audience: 'api' }))).toBe('invalid_response')
  })

  it('refuses what is not a readable JWT, without echoing it', () => {
    const cases: unknown[] = [
      undefined,
      null,
      42,
      '',
      'opaque-token',
      'a.b.c',
      `${b64({ alg: 'none' })}.${b64('"just a string"')}.`,
      `${b64({ alg: 'none' })}.${b64('null')}.`,
      `${b64({ alg: 'none' })}.${b64('not json')}.`,
      `${b64({ alg: 'none' })}.${b64('[1]')}.`,
      `${b64({ alg: 'none' })}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.`,
      `${b64({ alg: 'none' })}.${Buffer.from(JSON.stringify({ sub: 'ü?>' })).toString('base64')}.`,
      `${b64({ alg: 'RSA-OAEP' })}.${b64(claims)}.iv.ciphertext.tag`,
      jwt(claims) + 'x'.repeat(16_384),
    ]
    for (const value of cases) {
      let error: unknown
      try {
        readTokenSet({ accessToken: value }, NOW, {})
      } catch (caught) {
        error = caught
      }
      expect(error, String(value).slice(0, 40)).toBeInstanceOf(AuthError)
      expect((error as AuthError).code).toBe('invalid_response')
      if (typeof value === 'string' && value.length > 5) expect((error as AuthError).message).not.toContain(value)
    }
  })

  it('reads UTF-8 claims from unpadded base64url', () => {
    const token = jwt({ ...claims, name: 'Zoë 雪 🎿', note: '?>~' })
    expect(readTokenSet({ accessToken: token }, NOW, {}).claims).toMatchObject({ name: 'Zoë 雪 🎿', note: '?>~' })
  })

  it('refuses a refresh token that is not a string', () => {
    expect(refusal(() => readTokenSet({ accessToken: jwt(claims), refreshToken: { token: 'x' } }, NOW, {}))).toBe('invalid_response')
    expect(refusal(() => readTokenSet({ accessToken: jwt(claims), refreshToken: 7 }, NOW, {}))).toBe('invalid_response')
  })
})

describe('stored form', () => {
  it('serializes the tokens and their expiry as one versioned record, without claims, and reads it back', () => {
    const set = readTokenSet({ accessToken: jwt(claims), refreshToken: 'r-1' }, NOW, {})
    const raw = serializeTokens(set)
    expect(JSON.parse(raw)).toEqual({ v: 1, accessToken: set.accessToken, refreshToken: 'r-1', expiresAt: 1_900_000_300_000 })
    expect(parseStoredTokens(raw, NOW, {}, readTokenSet)).toEqual(set)
  })

  it('re-checks issuer and audience on every load (S24)', () => {
    const raw = serializeTokens(readTokenSet({ accessToken: jwt(claims), refreshToken: 'r-1' }, NOW, {}))
    expect(refusal(() => parseStoredTokens(raw, NOW, { issuer: 'https://elsewhere.example' }, readTokenSet))).toBe('invalid_response')
    expect(refusal(() => parseStoredTokens(raw, NOW, { audience: 'billing' }, readTokenSet))).toBe('invalid_response')
  })

  it('refuses malformed, truncated or foreign records (S13)', () => {
    const raw = serializeTokens(readTokenSet({ accessToken: jwt(claims), refreshToken: 'r-1' }, NOW, {}))
    for (const bad of ['', 'null', '[]', '"text"', '{', raw.slice(0, -1), raw.slice(0, 20), JSON.stringify({ v: 2, accessToken: jwt(claims) }), JSON.stringify({ accessToken: jwt(claims) })]) {
      expect(refusal(() => parseStoredTokens(bad, NOW, {}, readTokenSet)), bad).toBe('invalid_response')
    }
  })
})

describe('withoutSignature (S20)', () => {
  it('keeps header and payload, drops the signature, ends with a dot', () => {
    const token = jwt(claims, 'SIGNATURE-VALUE')
    const [header, payload] = token.split('.')
    expect(withoutSignature(token)).toBe(`${header}.${payload}.`)
    expect(withoutSignature(token)).not.toContain('SIGNATURE-VALUE')
  })

  it('never keeps anything past the second segment', () => {
    expect(withoutSignature('h.p.s.extra.more')).toBe('h.p.')
    expect(withoutSignature('h.p.')).toBe('h.p.')
  })
})
