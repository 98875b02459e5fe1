import { describe, expect, it } from 'vitest'
import { assertDoubleSubmit, assertTrustedOrigin, type OriginEvidence } from './csrf.ts'
import { BackendError } from './errors.ts'

const APP = 'https://app.example.com'
const trusted = new Set([APP, 'https://admin.example.com'])

function evidence(partial: Partial<OriginEvidence>): OriginEvidence {
  return { origin: null, referer: null, secFetchSite: null, ...partial }
}

/** Runs `action` and returns the csrf_failed error it must throw. */
function csrfError(action: () => void): BackendError {
  let caught: unknown
  try {
    action()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(BackendError)
  const error = caught as BackendError
  expect(error.code).toBe('csrf_failed')
  expect(error.status).toBe(403)
  return error
}

const strict = { requireEvidence: true }
const lenient = { requireEvidence: false }

describe('assertTrustedOrigin', () => {
  it('M34 accepts the exact trusted origin, with or without same-origin/same-site Fetch Metadata', () => {
    for (const secFetchSite of [null, 'same-origin', 'same-site', 'none']) {
      expect(() => assertTrustedOrigin(evidence({ origin: APP, secFetchSite }), trusted, strict)).not.toThrow()
    }
    expect(() => assertTrustedOrigin(evidence({ origin: 'https://admin.example.com' }), trusted, strict)).not.toThrow()
  })

  it('M34 Sec-Fetch-Site: cross-site is refused even when Origin and Referer look trusted', () => {
    const error = csrfError(() => assertTrustedOrigin(evidence({ origin: APP, referer: `${APP}/`, secFetchSite: 'cross-site' }), trusted, strict))
    expect(error.description).toMatch(/Sec-Fetch-Site/)
    csrfError(() => assertTrustedOrigin(evidence({ secFetchSite: 'cross-site' }), trusted, lenient))
  })

  it('M34 a configured partner origin on another site passes with cross-site Fetch Metadata; the own origin does not', () => {
    const partners = new Set(['https://partner.example.org'])
    const withPartner = new Set([...trusted, ...partners])
    const partner = evidence({ origin: 'https://partner.example.org', secFetchSite: 'cross-site' })
    expect(() => assertTrustedOrigin(partner, withPartner, { ...strict, partners })).not.toThrow()
    csrfError(() => assertTrustedOrigin(partner, withPartner, strict))
    csrfError(() => assertTrustedOrigin(evidence({ origin: APP, secFetchSite: 'cross-site' }), withPartner, { ...strict, partners }))
  })

  it('M34 compares whole origins: suffix, prefix, scheme, port and case look-alikes are refused', () => {
    for (const origin of [
      'https://app.example.com.attacker.com',
      'https://evil-app.example.com',
      'https://xapp.example.com',
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://app.example.com/',
      'https://APP.EXAMPLE.COM',
      'https://app.example',
      '',
    ]) {
      csrfError(() => assertTrustedOrigin(evidence({ origin }), trusted, strict))
      csrfError(() => assertTrustedOrigin(evidence({ origin }), trusted, lenient))
    }
  })

  it('M34 Origin: null is refused, even if "null" were configured as trusted', () => {
    csrfError(() => assertTrustedOrigin(evidence({ origin: 'null' }), trusted, strict))
    csrfError(() => assertTrustedOrigin(evidence({ origin: 'null' }), new Set(['null']), lenient))
  })

  it('M34 Origin wins over Referer: a foreign Origin with a trusted Referer is refused, and the reverse passes', () => {
    csrfError(() => assertTrustedOrigin(evidence({ origin: 'https://evil.example', referer: `${APP}/page` }), trusted, strict))
    expect(() => assertTrustedOrigin(evidence({ origin: APP, referer: 'https://evil.example/page' }), trusted, strict)).not.toThrow()
  })

  it('M34 without Origin, a Referer from a trusted origin passes; foreign, look-alike or malformed ones do not', () => {
    expect(() => assertTrustedOrigin(evidence({ referer: `${APP}/notes?x=1#top` }), trusted, strict)).not.toThrow()
    expect(() => assertTrustedOrigin(evidence({ referer: `${APP}` }), trusted, strict)).not.toThrow()
    for (const referer of ['https://evil.example/', 'https://app.example.com.attacker.com/notes', 'http://app.example.com/', 'not a url', '/relative/path', '']) {
      csrfError(() => assertTrustedOrigin(evidence({ referer }), trusted, strict))
    }
  })

  it('M34 with neither Origin nor Referer: refused where a cookie carries the credential, allowed otherwise', () => {
    const error = csrfError(() => assertTrustedOrigin(evidence({}), trusted, strict))
    expect(error.description).toMatch(/neither Origin nor Referer/)
    csrfError(() => assertTrustedOrigin(evidence({ secFetchSite: 'same-origin' }), trusted, strict))
    expect(() => assertTrustedOrigin(evidence({}), trusted, lenient)).not.toThrow()
  })

  it('M34 an empty trust set trusts nothing', () => {
    csrfError(() => assertTrustedOrigin(evidence({ origin: APP }), new Set(), strict))
    csrfError(() => assertTrustedOrigin(evidence({ referer: `${APP}/` }), new Set(), strict))
  })
})

describe('assertDoubleSubmit', () => {
  const bound = 'Q2hvb3NlIGEgbG9uZyByYW5kb20gdG9rZW4gaGVyZQ'

  it('M15 passes when header, cookie and the server-bound token are all equal', () => {
    expect(() => assertDoubleSubmit(bound, bound, bound)).not.toThrow()
  })

  it('M15 a missing header or cookie is refused as missing', () => {
    for (const [header, cookie] of [
      [null, bound],
      ['', bound],
      [bound, undefined],
      [bound, ''],
      [null, undefined],
    ] as const) {
      const error = csrfError(() => assertDoubleSubmit(header, cookie, bound))
      expect(error.description).toBe('missing CSRF token')
    }
  })

  it('M15 a header that differs from the cookie is refused as a mismatch', () => {
    for (const header of ['wrong', bound.slice(0, -1), `${bound}A`, bound.toLowerCase(), ` ${bound}`]) {
      const error = csrfError(() => assertDoubleSubmit(header, bound, bound))
      expect(error.description).toBe('CSRF token mismatch')
    }
  })

  it('M15 a header and cookie that agree but were planted (not the bound token) are refused', () => {
    const planted = 'attacker-planted-token'
    const error = csrfError(() => assertDoubleSubmit(planted, planted, bound))
    expect(error.description).toBe('CSRF token mismatch')
  })

  it('M15 the bound token in the header with a different cookie is refused', () => {
    csrfError(() => assertDoubleSubmit(bound, 'other-cookie-value', bound))
  })
})
