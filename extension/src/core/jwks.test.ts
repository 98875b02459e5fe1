import { describe, expect, it } from 'vitest'
import { createKeyStore, jwkSetKeys } from './jwks.ts'
import { RFC7515_A2_PUBLIC_KEY, RFC7515_A3_PUBLIC_KEY } from './testing/tokens.ts'

describe('JWK Sets the page fetched', () => {
  it('takes the public signing keys of any JWK Set body, dropping private and symmetric material', () => {
    const body = JSON.stringify({
      keys: [
        { ...RFC7515_A3_PUBLIC_KEY, kid: 'ec', d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' },
        { ...RFC7515_A2_PUBLIC_KEY, kid: 'rsa', alg: 'RS256', use: 'sig' },
        { kty: 'oct', kid: 'mac', k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ' },
        { ...RFC7515_A2_PUBLIC_KEY, kid: 'enc', use: 'enc' },
      ],
    })
    const keys = jwkSetKeys(body)
    expect(keys?.map((k) => k.kid)).toEqual(['ec', 'rsa'])
    expect(JSON.stringify(keys)).not.toContain('jpsQnnGQ')
    for (const notASet of ['{"keys":"x"}', '{"issuer":"https://a"}', '[1]', 'keys', '{"keys":[{"kty":"oct","k":"AA"}]}']) expect(jwkSetKeys(notASet), notASet).toBeNull()
  })

  it('holds each key once, newest first, capped; the version moves with every set seen', () => {
    const store = createKeyStore(3)
    const set = (...kids: string[]) => JSON.stringify({ keys: kids.map((kid) => ({ ...RFC7515_A3_PUBLIC_KEY, kid })) })
    expect(store.observe('https://a.example/jwks', set('a', 'b'), 1)).toBe(true)
    expect(store.observe('https://a.example/openid-configuration', '{"jwks_uri":"https://a.example/jwks"}', 2)).toBe(false)
    const before = store.version
    store.observe('https://a.example/jwks', set('b', 'c'), 3)
    expect(store.version).toBeGreaterThan(before)
    expect(store.keys().map((k) => [k.jwk.kid, k.seenAt])).toEqual([['b', 3], ['c', 3], ['a', 1]])
    store.observe('https://a.example/jwks', set('d'), 4)
    expect(store.keys().map((k) => k.jwk.kid)).toEqual(['d', 'b', 'c'])
    store.clear()
    expect(store.keys()).toEqual([])
  })
})
