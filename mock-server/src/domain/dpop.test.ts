import { describe, expect, it } from 'vitest'
import { createDpopProof, generateDpopKey } from '../../test/dpop-proof.ts'
import { createClock } from './clock.ts'
import { DpopNonces } from './dpop-nonces.ts'
import { DpopProofs, normalizeHtu } from './dpop.ts'
import { BackendError } from './errors.ts'

const T0 = 1_800_000_000_000
const URL_ = 'https://api.example.com/api/notes'

function proofs(options: { nonceRequired?: boolean } = {}) {
  const clock = createClock(() => T0)
  const claims: string[] = []
  const checker = new DpopProofs({
    clock,
    windowSeconds: 60,
    clockToleranceSeconds: 5,
    replays: {
      claim(key) {
        claims.push(key)
        return true
      },
    },
    nonces: new DpopNonces({ clock, rotationSeconds: 60 }),
    nonceRequired: () => options.nonceRequired ?? false,
  })
  return { checker, claims }
}

async function refusal(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(BackendError)
  return error as BackendError
}

describe('normalizeHtu (RFC 9449 §4.3 step 9, RFC 3986 §6.2.2)', () => {
  it('D4 drops query and fragment and normalises case, default port, dot segments and percent-escapes', () => {
    const expected = 'https://api.example.com/api/notes'
    for (const equivalent of [
      'https://api.example.com/api/notes?page=2#top',
      'HTTPS://API.EXAMPLE.COM/api/notes',
      'https://api.example.com:443/api/notes',
      'https://api.example.com/api/v1/../notes',
      'https://api.example.com/%61pi/notes',
    ]) {
      expect(normalizeHtu(equivalent), equivalent).toBe(expected)
    }
    // Reserved characters stay escaped, in one case; the path's own case matters.
    expect(normalizeHtu('https://api.example.com/a%2fb')).toBe('https://api.example.com/a%2Fb')
    expect(normalizeHtu('https://api.example.com/API/notes')).not.toBe(expected)
    expect(normalizeHtu('http://api.example.com/api/notes')).not.toBe(expected)
    expect(normalizeHtu('/api/notes')).toBeUndefined()
  })
})

describe('DpopProofs', () => {
  it('D5 records a proof as seen only once every other check passed, keyed by the key\'s thumbprint and jti', async () => {
    const { checker, claims } = proofs()
    const key = await generateDpopKey()
    const iat = T0 / 1000
    const wrongMethod = await createDpopProof(key, 'POST', URL_, { iat, jti: 'j1' })
    expect((await refusal(checker.verify({ header: wrongMethod, method: 'GET', url: URL_ }))).reason).toBe('htm')
    const wrongKey = await createDpopProof(key, 'GET', URL_, { iat, jti: 'j1', accessToken: 't' })
    expect((await refusal(checker.verify({ header: wrongKey, method: 'GET', url: URL_, accessToken: 't', boundKey: 'other' }))).reason).toBe('key_mismatch')
    expect(claims).toEqual([])

    const verified = await checker.verify({ header: wrongKey, method: 'GET', url: URL_, accessToken: 't', boundKey: key.jkt })
    expect(verified).toEqual({ jkt: key.jkt, jti: 'j1', iat })
    expect(claims).toEqual([`${key.jkt}:j1`])
  })

  it('D7 a missing or unknown nonce is use_dpop_nonce carrying the current nonce; that nonce is accepted', async () => {
    const { checker, claims } = proofs({ nonceRequired: true })
    const key = await generateDpopKey()
    const iat = T0 / 1000
    const error = await refusal(checker.verify({ header: await createDpopProof(key, 'GET', URL_, { iat }), method: 'GET', url: URL_ }))
    expect(error.code).toBe('use_dpop_nonce')
    const nonce = error.headers['DPoP-Nonce']!
    const stranger = await refusal(checker.verify({ header: await createDpopProof(key, 'GET', URL_, { iat, nonce: `${nonce}x` }), method: 'GET', url: URL_ }))
    expect(stranger.code).toBe('use_dpop_nonce')
    expect(claims).toEqual([])
    await checker.verify({ header: await createDpopProof(key, 'GET', URL_, { iat, nonce }), method: 'GET', url: URL_ })
    expect(claims).toHaveLength(1)
  })
})
