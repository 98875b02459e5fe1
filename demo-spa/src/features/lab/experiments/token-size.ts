import { base64url } from '../../../lib/jwt.ts'
import { accessToken, bytes, jwtClaims, labClient, withClient } from '../kit.ts'
import type { Experiment } from '../types.ts'

/** A realistic claim to add: a permission string, as APIs put scopes and permissions in tokens. */
const EXTRA_CLAIMS = 10
const extraClaim = (index: number): [string, string] => [`perm_${index}`, `notes:write:project-${1000 + index}`]

/**
 * The credential each request carries. JWT: the whole `Authorization: Bearer …` header, measured
 * from the token the SDK holds. Session: the id is HttpOnly, so script cannot read it; the server
 * makes it exactly like the CSRF token (32 random bytes, base64url), and that token is readable in
 * the login answer and in document.cookie, so its length stands for the id's.
 */
export const tokenSize: Experiment = {
  id: 'token-size',
  title: 'Token size',
  claim: 'A JWT makes every request much larger than a session id, and grows with every claim.',
  async run() {
    const jwt = await withClient(labClient('memory'), async (client) => accessToken(client))
    const jwtHeader = bytes(`Authorization: Bearer ${jwt}`)

    const csrfToken = await withClient(labClient('session'), async () => {
      const pair = document.cookie.split('; ').find((cookie) => cookie.startsWith('XSRF-TOKEN='))
      if (!pair) throw new Error('no XSRF-TOKEN cookie after the session sign-in')
      return decodeURIComponent(pair.slice('XSRF-TOKEN='.length))
    })
    // On loopback and https the server prefixes the name (`__Host-sid`); the XSRF-TOKEN cookie
    // travels with every request too, so it counts.
    const sessionHeader = bytes(`Cookie: __Host-sid=${csrfToken}; XSRF-TOKEN=${csrfToken}`)

    // Growth: the same payload with more claims, re-encoded as the server would (the signature,
    // 64 bytes for ES256, does not grow). Computed from the real token's payload, not signed.
    const claims = jwtClaims(jwt)
    const bigger = { ...claims, ...Object.fromEntries(Array.from({ length: EXTRA_CLAIMS }, (_, index) => extraClaim(index))) }
    const [header = '', payload = '', signature = ''] = jwt.split('.')
    const grownPayload = base64url(new TextEncoder().encode(JSON.stringify(bigger)))
    const grown = bytes(`Authorization: Bearer ${header}.${grownPayload}.${signature}`)
    const perClaim = (grown - jwtHeader) / EXTRA_CLAIMS
    const ratio = jwtHeader / sessionHeader

    return {
      id: 'token-size',
      claim: tokenSize.claim,
      modes: ['JWT (Authorization header)', 'session (Cookie header)'],
      measured: [
        { label: 'JWT header', value: jwtHeader, unit: 'bytes/request', chart: true },
        { label: 'Session cookie header', value: sessionHeader, unit: 'bytes/request', chart: true },
        { label: `JWT + ${EXTRA_CLAIMS} claims (re-encoded)`, value: grown, unit: 'bytes/request', chart: true },
        { label: 'Growth per claim', value: Math.round(perClaim), unit: 'bytes' },
        { label: 'JWT payload', value: payload.length, unit: 'bytes (base64url)' },
      ],
      verdict: ratio >= 2 ? 'agrees' : ratio > 1 ? 'depends' : 'disagrees',
      why: `The ${Object.keys(claims).length}-claim ES256 JWT costs ${jwtHeader} bytes per request against ${sessionHeader} for the session cookies (${ratio.toFixed(1)}×); each added claim adds about ${Math.round(perClaim)} bytes (base64url inflates JSON by 4/3). The session id length is derived: it is HttpOnly, so it is taken from the same-sized CSRF token the page can read.`,
    }
  },
}
