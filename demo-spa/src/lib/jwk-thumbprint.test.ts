import { calculateJwkThumbprint, exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { ecThumbprint } from './jwk-thumbprint.ts'

describe('ecThumbprint', () => {
  it('is the RFC 7638 SHA-256 thumbprint jose computes, for a non-extractable pair as the SDK keeps it', async () => {
    const { publicKey } = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair
    expect(await ecThumbprint(publicKey)).toBe(await calculateJwkThumbprint(await exportJWK(publicKey), 'sha256'))
  })
})
