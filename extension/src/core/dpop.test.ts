import { describe, expect, it } from 'vitest'
import { readDpopRequest, readProof } from './dpop.ts'
import { RFC9449_JKT, RFC9449_PROOF, dpopKey, proof } from './testing/dpop.ts'
import { exchange } from './testing/observations.ts'
import { base64url, makeJwt } from './testing/tokens.ts'

describe('reading DPoP proofs', () => {
  it('RFC 9449 §4.1: the example proof decoded, its key named by the thumbprint §6.1 binds; the signature not kept', () => {
    const read = readProof(RFC9449_PROOF)
    expect(read).toMatchObject({ alg: 'ES256', jkt: RFC9449_JKT, keyType: 'EC P-256', htm: 'POST', htu: 'https://server.example.com/token', jti: '-BwC3ESc6acc2lTc', iat: 1562262616, ath: null, nonce: false, problems: [] })
    expect(read.header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs', y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA' } })
    expect(JSON.stringify(read)).not.toContain(RFC9449_PROOF.split('.')[2])
  })

  it('the DPoP header and the Authorization scheme of a request, any case', () => {
    const request = readDpopRequest(exchange({ method: 'GET', url: 'https://rs.example/notes', requestHeaders: { authorization: 'dpop abc.def.ghi', dpop: RFC9449_PROOF } }))
    expect(request).toMatchObject({ method: 'GET', credential: { scheme: 'DPoP', token: 'abc.def.ghi' }, rawProof: RFC9449_PROOF, proof: { jkt: RFC9449_JKT } })
    expect(readDpopRequest(exchange({ requestHeaders: { Authorization: 'Basic dXNlcjpwYXNz' } }))).toMatchObject({ proof: null, credential: null })
  })

  it('D3 what is wrong with a proof: typ, alg none or HS256, no key, a private key (never shown), several proofs, not a JWS', async () => {
    const key = await dpopKey()
    expect(readProof(await proof(key, { htm: 'GET', htu: 'https://rs.example/' }, { typ: 'JWT' })).problems).toEqual(['typ'])
    const unsigned = (header: Record<string, unknown>) => `${base64url(JSON.stringify({ typ: 'dpop+jwt', jwk: key.jwk, ...header }))}.${base64url(JSON.stringify({ htm: 'GET' }))}.`
    expect(readProof(unsigned({ alg: 'none' })).problems).toEqual(['alg'])
    expect(readProof(unsigned({ alg: 'HS256' })).problems).toEqual(['alg'])
    expect(readProof(unsigned({ alg: 'ES256', jwk: undefined })).problems).toEqual(['no-jwk'])
    const leaked = readProof(unsigned({ alg: 'ES256', jwk: { ...key.jwk, d: 'PRIVATE-SCALAR-d' } }))
    expect(leaked.problems).toEqual(['private-key'])
    expect(JSON.stringify(leaked)).not.toContain('PRIVATE-SCALAR-d')
    expect(readProof(RFC9449_PROOF, 2).problems).toEqual(['several-proofs'])
    for (const junk of ['', 'not a jwt', 'eyJ.eyJ.x', 'a'.repeat(100_000)]) expect(readProof(junk).problems).toContain('not-a-jws')
  })

  it('E4 hostile claims are capped and scrubbed; unknown members named only; a query in htu masked when it holds a credential', () => {
    const token = makeJwt({ sub: 'victim' })
    const hostile = makeJwt({ htm: 'GET', htu: `https://rs.example/x?access_token=${token}`, jti: 'j'.repeat(5000), extra: '<img src=x onerror=alert(1)>' }, { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, kid: 'k' })
    const read = readProof(hostile)
    expect(read.jti?.length).toBe(200)
    expect(read.htu).toBe('https://rs.example/x?access_token=REDACTED')
    expect(read.otherMembers).toEqual(['kid', 'extra'])
    expect(JSON.stringify(read)).not.toContain('onerror')
  })
})
