import { accessToken, bytes, jwtClaims, labClient, round, stats, withClient } from '../kit.ts'
import type { Experiment } from '../types.ts'

const toBytes = (segment: string): Uint8Array<ArrayBuffer> => {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  return Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (char) => char.charCodeAt(0))
}

/**
 * "A second service": code that shares nothing with the auth server but its public JWKS. It
 * imports the ES256 key with WebCrypto and checks the signature (JWS ES256 is raw r‖s, the
 * format WebCrypto's ECDSA verify takes) and the expiry.
 */
async function verifyWithJwks(token: string, jwks: { keys: JsonWebKey[] }, nowSeconds: number): Promise<boolean> {
  const [header = '', payload = '', signature = ''] = token.split('.')
  const kid = (JSON.parse(new TextDecoder().decode(toBytes(header))) as { kid?: string }).kid
  const jwk = jwks.keys.find((key) => (key as { kid?: string }).kid === kid) ?? jwks.keys[0]
  if (!jwk) return false
  const key = await crypto.subtle.importKey('jwk', { ...jwk, key_ops: ['verify'] }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
  const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, toBytes(signature), new TextEncoder().encode(`${header}.${payload}`))
  return valid && Number(jwtClaims(token).exp) > nowSeconds
}

/** The same token with one claim changed: a second service must refuse it. */
function tamper(token: string): string {
  const [header = '', , signature = ''] = token.split('.')
  const claims = { ...jwtClaims(token), role: 'admin' }
  const payload = btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  return `${header}.${payload}.${signature}`
}

export const jwks: Experiment = {
  id: 'jwks',
  title: 'Microservices / interoperability',
  claim: 'Any service can verify a JWT on its own with the public key; a session needs the shared session store.',
  async run() {
    const token = await withClient(labClient('memory'), (client) => accessToken(client))
    const response = await fetch('/.well-known/jwks.json', { credentials: 'omit' })
    const text = await response.text()
    const set = JSON.parse(text) as { keys: JsonWebKey[] }
    // Server time, read before the clock starts: the verification itself makes no request.
    const nowSeconds = Date.now() / 1000 + (await stats()).clockOffsetSeconds
    const started = performance.now()
    const verified = await verifyWithJwks(token, set, nowSeconds)
    const verifyMs = round(performance.now() - started)
    const tamperedAccepted = await verifyWithJwks(tamper(token), set, nowSeconds)

    // The session side: the id means nothing by itself; only the store knows whose it is.
    const lookups = await withClient(labClient('session'), async () => {
      const before = (await stats()).sessionLookups
      await fetch('/api/session', { credentials: 'same-origin' })
      return (await stats()).sessionLookups - before
    })
    return {
      id: 'jwks',
      claim: jwks.claim,
      modes: ['JWT (ES256, JWKS)', 'session'],
      measured: [
        { label: 'JWKS fetched once', value: bytes(text), unit: 'bytes' },
        { label: 'Key import + verification here (WebCrypto)', value: verifyMs, unit: 'ms', chart: true },
        { label: 'Genuine token verified', value: verified ? 1 : 0, unit: 'yes=1' },
        { label: 'Tampered token accepted', value: tamperedAccepted ? 1 : 0, unit: 'yes=1' },
        { label: 'Session: store lookups per request', value: lookups, unit: 'lookups' },
      ],
      verdict: verified && !tamperedAccepted && lookups > 0 ? 'agrees' : 'disagrees',
      why: `With only the ${bytes(text)}-byte public JWKS and no call to the auth server, WebCrypto ${verified ? 'verified' : 'did NOT verify'} the token in ${verifyMs} ms and ${tamperedAccepted ? 'ACCEPTED' : 'refused'} a copy with role changed to admin. The session id needed ${lookups} lookup(s) in the server's store, which a second service would have to share. The price: that second service cannot see a logout or revocation until exp.`,
    }
  },
}
