import { describe, expect, it } from 'vitest'
import { MAX_JSON_DEPTH, SIGNATURE_NOT_VERIFIED, inspectStoredValue, inspectToken, isTokenLikeValue, looksLikeCompactJose } from './decode.ts'
import { expiryView } from './expiry.ts'
import { JWE_EXAMPLE, RFC7519_3_1, RFC7519_6_1, base64url, bytesToBase64url, makeJwt, medianMs } from './testing/tokens.ts'

describe('inspectToken', () => {
  it('E1 decodes the RFC 7519 §3.1 example (CRLF inside the JSON) and shows it as expired', () => {
    const inspection = inspectToken(RFC7519_3_1)
    expect(inspection.kind).toBe('jws')
    if (inspection.kind !== 'jws') return
    expect(inspection.header).toEqual({ typ: 'JWT', alg: 'HS256' })
    expect(inspection.claims).toEqual({ iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true })
    expect(inspection.signature).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')
    expect(inspection.unsecured).toBe(false)
    expect(inspection.notes).toEqual([])
    const view = expiryView(inspection.claims, Date.UTC(2026, 0, 1))
    expect(view.state).toBe('expired')
    expect(view.expiresAtMs).toBe(1300819380_000)
    // Negative: the same claims one second before exp are still valid.
    expect(expiryView(inspection.claims, 1300819379_000).state).toBe('valid')
  })

  it('E2 decodes the RFC 7519 §6.1 unsecured JWT and marks it unsecured', () => {
    const inspection = inspectToken(RFC7519_6_1)
    expect(inspection.kind).toBe('jws')
    if (inspection.kind !== 'jws') return
    expect(inspection.header).toEqual({ alg: 'none' })
    expect(inspection.claims['iss']).toBe('joe')
    expect(inspection.signature).toBe('')
    expect(inspection.unsecured).toBe(true)
    const signed = inspectToken(RFC7519_3_1)
    expect(signed.kind === 'jws' && signed.unsecured).toBe(false)
  })

  it('E3 shows a five-part JWE as encrypted, with its header, and never decodes its payload', () => {
    const inspection = inspectToken(JWE_EXAMPLE)
    expect(inspection.kind).toBe('jwe')
    if (inspection.kind !== 'jwe') return
    expect(inspection.header).toEqual({ alg: 'RSA1_5', enc: 'A128CBC-HS256' })
    expect(inspection.reason).toMatch(/JWE/)
    expect('claims' in inspection).toBe(false)
  })

  it('E3 opaque tokens, random dotted strings and base64 junk are never mis-decoded', () => {
    for (const opaque of ['2YotnFZFEjr1zCsicMWpAA', 'ya29.a0AfH6SMBx3fake_google_style_token', 'v4.public.eyJzdWIiOiJqb2UifQ.sig', 'SGVsbG8gd29ybGQgaGVsbG8=']) {
      expect(inspectToken(opaque).kind, opaque).toBe('opaque')
    }
    const cases: Array<[string, string]> = [
      ['a.b.c', 'bad-base64url'],
      ['abcd.efgh.ijkl', 'invalid-utf8'],
      ['aGVsbG8.aGVsbG8.sig', 'not-json'],
      ['hello.world', 'segment-count'],
      ['1.2.3.4', 'segment-count'],
      ['abc.def.ghi.jkl.mno', 'invalid-utf8'],
      ['aGVsbG8.b.c.d.e', 'not-json'],
      [`${base64url('{"alg":"HS256"}')}.${base64url('{"sub":"x"}')}`, 'segment-count'],
      [`${base64url('{"alg":"HS256"}')}.a.b.c`, 'segment-count'],
      ['eyJhbGciOiJIUzI1NiJ9.!!!.sig', 'bad-base64url'],
      ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0=.sig', 'bad-base64url'],
      ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.si+g/', 'bad-base64url'],
      [`${base64url('{"alg":"HS256"}')}.${base64url('[1,2]')}.sig`, 'not-an-object'],
      ['not a token', 'segment-count'],
      ['', 'empty'],
      ['   ', 'empty'],
    ]
    for (const [value, reason] of cases) {
      const inspection = inspectToken(value)
      expect(inspection.kind, value).toBe('not-jwt')
      if (inspection.kind === 'not-jwt') {
        expect(inspection.reason, value).toBe(reason)
        expect(inspection.detail.length).toBeGreaterThan(0)
      }
    }
  })

  it('explains a payload that is JSON inside a JSON string', () => {
    const doubled = `${base64url('{"alg":"HS256"}')}.${base64url(JSON.stringify(JSON.stringify({ sub: 'x' })))}.sig`
    const inspection = inspectToken(doubled)
    expect(inspection.kind === 'not-jwt' && inspection.reason).toBe('json-in-json-string')
    const plainString = `${base64url('{"alg":"HS256"}')}.${base64url('"just text"')}.sig`
    expect(inspectToken(plainString).kind === 'not-jwt' && (inspectToken(plainString) as { reason: string }).reason).toBe('not-an-object')
  })

  it('E19 every decoded JWS carries the "signature not verified" label data', () => {
    const inspection = inspectToken(makeJwt({ sub: 'u1', exp: 2_000_000_000 }))
    expect(inspection.kind === 'jws' && inspection.verification).toBe('not-verified')
    expect(SIGNATURE_NOT_VERIFIED).toMatch(/not verified/i)
    expect(inspectToken('2YotnFZFEjr1zCsicMWpAA')).not.toHaveProperty('verification')
  })

  it('E20 a 1 MB token is refused as too large, quickly', () => {
    const huge = `${base64url('{"alg":"HS256"}')}.${'A'.repeat(1024 * 1024)}.sig`
    const inspection = inspectToken(huge)
    expect(inspection.kind === 'not-jwt' && inspection.reason).toBe('too-large')
    expect(medianMs(() => inspectToken(huge))).toBeLessThan(100)
  })

  it('E20 JSON nested 10k deep is refused before JSON.parse, quickly', () => {
    const deep = `${base64url('{"alg":"HS256"}')}.${base64url('['.repeat(10_000) + ']'.repeat(10_000))}.sig`
    const inspection = inspectToken(deep)
    expect(inspection.kind === 'not-jwt' && inspection.reason).toBe('too-deep')
    expect(medianMs(() => inspectToken(deep))).toBeLessThan(100)
    const deepObject = `${base64url('{"alg":"HS256"}')}.${base64url('{"a":'.repeat(40) + '1' + '}'.repeat(40))}.sig`
    expect((inspectToken(deepObject) as { reason?: string }).reason).toBe('too-deep')
    const fine = `${base64url('{"alg":"HS256"}')}.${base64url('{"a":'.repeat(MAX_JSON_DEPTH - 1) + '1' + '}'.repeat(MAX_JSON_DEPTH - 1))}.sig`
    expect(inspectToken(fine).kind).toBe('jws')
  })

  it('E20 invalid UTF-8 is reported, not decoded as Latin-1 (which jwt-decode alone would do)', () => {
    const invalidUtf8 = bytesToBase64url(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))
    const token = `${base64url('{"alg":"HS256"}')}.${invalidUtf8}.sig`
    const inspection = inspectToken(token)
    expect(inspection.kind === 'not-jwt' && inspection.reason).toBe('invalid-utf8')
    expect(medianMs(() => inspectToken(token))).toBeLessThan(100)
  })

  it('E20 duplicate keys are flagged with the repeated names', () => {
    const token = `${base64url('{"alg":"none","alg":"HS256"}')}.${base64url('{"sub":"a","sub":"b","\\u0073ub":"c"}')}.sig`
    const inspection = inspectToken(token)
    expect(inspection.kind).toBe('jws')
    const notes = inspection.notes.filter((n) => n.code === 'duplicate-keys').map((n) => n.detail)
    expect(notes).toHaveLength(2)
    expect(notes[0]).toMatch(/header repeats "alg"/)
    expect(notes[1]).toMatch(/payload repeats "sub"/)
    expect(inspectToken(makeJwt({ sub: 'a' })).notes).toEqual([])
  })

  it('notes a missing alg but still decodes', () => {
    const inspection = inspectToken(makeJwt({ sub: 'a' }, { typ: 'JWT' }))
    expect(inspection.kind).toBe('jws')
    expect(inspection.notes.map((n) => n.code)).toEqual(['missing-alg'])
  })
})

describe('inspectStoredValue', () => {
  it('unwraps a JSON-stringified token (retrying JSON.parse on stored values)', () => {
    const token = makeJwt({ sub: 'u1' })
    const once = inspectStoredValue(JSON.stringify(token))
    expect(once.kind).toBe('jws')
    expect(once.notes.map((n) => n.code)).toContain('json-string-unwrapped')
    expect(inspectStoredValue(JSON.stringify(JSON.stringify(token))).kind).toBe('jws')
    expect(inspectStoredValue(token).notes).toEqual([])
    expect(inspectStoredValue('"not a token"').kind).toBe('not-jwt')
  })
})

describe('token shapes', () => {
  it('recognises compact JOSE and b64token values only', () => {
    expect(looksLikeCompactJose(RFC7519_3_1)).toBe(true)
    expect(looksLikeCompactJose(RFC7519_6_1)).toBe(true)
    expect(looksLikeCompactJose(JWE_EXAMPLE)).toBe(true)
    expect(looksLikeCompactJose('a.b.c')).toBe(false)
    expect(isTokenLikeValue('2YotnFZFEjr1zCsicMWpAA')).toBe(true)
    expect(isTokenLikeValue('Bearer')).toBe(false)
    expect(isTokenLikeValue('hello world, this is text')).toBe(false)
  })
})
