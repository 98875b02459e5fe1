import { formatEstimate, timing } from '../format.ts'
import { accessToken, bytes, jwtClaims, labClient, stats, withClient } from '../kit.ts'
import { loadRecordedChecks } from '../scale-results.ts'
import { medianWithInterval, type Estimate } from '../statistics/bootstrap.ts'
import { comparedWith, lessThan } from '../statistics/verdict.ts'
import type { Experiment } from '../types.ts'

/** Timings of the verification here, each over a batch: the page's clock only resolves 0.1 ms. */
const BATCHES = 60
const PER_BATCH = 50
/** Round trips to the server that looks a session up, timed from this page like the verification. */
const ASKS = 100

const toBytes = (segment: string): Uint8Array<ArrayBuffer> => {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  return Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (char) => char.charCodeAt(0))
}

/** The key a token names, from the JWKS, imported once as a second service would cache it. */
async function importKey(token: string, jwks: { keys: JsonWebKey[] }): Promise<CryptoKey | undefined> {
  const kid = (JSON.parse(new TextDecoder().decode(toBytes(token.split('.')[0] ?? ''))) as { kid?: string }).kid
  const jwk = jwks.keys.find((key) => (key as { kid?: string }).kid === kid) ?? jwks.keys[0]
  return jwk && crypto.subtle.importKey('jwk', { ...jwk, key_ops: ['verify'] }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
}

/**
 * "A second service": code that shares nothing with the auth server but its public JWKS. It checks
 * the ES256 signature with WebCrypto (JWS ES256 is raw r‖s, the format WebCrypto's ECDSA verify
 * takes) and the expiry.
 */
async function verify(token: string, key: CryptoKey, nowSeconds: number): Promise<boolean> {
  const [header = '', payload = '', signature = ''] = token.split('.')
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

/** A batch to warm up, then `BATCHES` timed batches of `PER_BATCH` verifications; each must pass. */
const TRIES = (BATCHES + 1) * PER_BATCH

async function timeVerifications(token: string, key: CryptoKey, nowSeconds: number): Promise<{ perVerification: Estimate; verified: number }> {
  const perVerification: number[] = []
  let verified = 0
  for (let batch = 0; batch <= BATCHES; batch++) {
    const started = performance.now()
    for (let index = 0; index < PER_BATCH; index++) if (await verify(token, key, nowSeconds)) verified++
    if (batch > 0) perVerification.push((performance.now() - started) / PER_BATCH)
  }
  return { perVerification: medianWithInterval(perVerification), verified }
}

export const jwks: Experiment = {
  id: 'jwks',
  title: 'Microservices / interoperability',
  claim: 'Any service can verify a JWT on its own with the public key; a session needs the shared session store.',
  async run() {
    const recorded = loadRecordedChecks()
    const token = await withClient(labClient('memory'), (client) => accessToken(client))
    const response = await fetch('/.well-known/jwks.json', { credentials: 'omit' })
    const text = await response.text()
    const key = await importKey(token, JSON.parse(text) as { keys: JsonWebKey[] })
    if (!key) throw new Error('the JWKS holds no key')
    // Server time, read before the clock starts: the verification itself makes no request.
    const nowSeconds = Date.now() / 1000 + (await stats()).clockOffsetSeconds
    const { perVerification, verified } = await timeVerifications(token, key, nowSeconds)
    const tamperedAccepted = await verify(tamper(token), key, nowSeconds)

    // The session side: the id means nothing by itself; only the store knows whose it is, so a
    // second service has to ask. Timed here the same way: from this page, in this run.
    const { lookups, asking } = await withClient(labClient('session'), async () => {
      const before = (await stats()).sessionLookups
      const rounds: number[] = []
      for (let ask = 0; ask < ASKS; ask++) {
        const started = performance.now()
        const response = await fetch('/api/session', { credentials: 'same-origin' })
        await response.arrayBuffer()
        rounds.push(performance.now() - started)
        if (!response.ok) throw new Error(`GET /api/session answered ${response.status}`)
      }
      return { lookups: ((await stats()).sessionLookups - before) / ASKS, asking: medianWithInterval(rounds) }
    })
    const store = await recorded
    const redis = store.kind === 'recorded' ? store.checks : undefined
    const works = verified === TRIES && !tamperedAccepted && lookups > 0
    // On its own also means without waiting for anyone: cheaper than asking.
    const cheaper = lessThan(perVerification, asking)
    const here = formatEstimate(perVerification, 'µs')
    return {
      id: 'jwks',
      claim: jwks.claim,
      modes: ['JWT (ES256, JWKS)', 'session'],
      measured: [
        { label: 'JWKS fetched once', value: bytes(text), unit: 'bytes' },
        timing(`Verification here (WebCrypto ES256, key imported once; timed in batches of ${PER_BATCH})`, perVerification, 'µs', true),
        timing('Session: asking its server, from here', asking, 'µs', true),
        ...(redis ? [timing('Recorded: a session lookup in Redis, server side', redis.redisLookup, 'µs')] : []),
        { label: `Genuine token verified, of ${TRIES.toLocaleString('en-US')} tries`, value: verified, unit: 'times' },
        { label: 'Tampered token accepted', value: tamperedAccepted ? 1 : 0, unit: 'yes=1' },
        { label: 'Session: store lookups per request', value: lookups, unit: 'lookups' },
      ],
      verdict: !works ? 'disagrees' : cheaper === 'agrees' ? 'agrees' : 'depends',
      why: `With only the ${bytes(text)}-byte public JWKS and no call to the auth server, WebCrypto verified the token ${verified === TRIES ? 'every one' : `only ${verified.toLocaleString('en-US')}`} of ${TRIES.toLocaleString('en-US')} times, in ${here} each (${BATCHES} timings of ${PER_BATCH}), and ${tamperedAccepted ? 'ACCEPTED' : 'refused'} a copy with role changed to admin. The session id needed ${lookups} lookup(s) per request in the server's store, which a second service would have to share or ask: asking the server from here took ${formatEstimate(asking, 'µs')}, so the check here cost ${comparedWith(cheaper)} asking${
        redis ? ` (a lookup in Redis alone takes ${formatEstimate(redis.redisLookup, 'µs')} server side, ${redis.source})` : ''
      }. The price: that second service cannot see a logout or revocation until exp.`,
    }
  },
}
