import { describe, expect, it } from 'vitest'
import { createInspector } from '../inspector.ts'
import { AS, RS, boundAccessToken, dpopKey, dpopTokenRequest, proof, resourceRequest } from '../testing/dpop.ts'
import { accessToken } from '../testing/oidc.ts'
import type { ExchangeObservation } from '../observations.ts'
import type { RuleId } from './index.ts'

const T0 = Date.UTC(2026, 0, 1, 12)

type DpopKey = Awaited<ReturnType<typeof dpopKey>>

/** The `rule` findings after a DPoP token request and then the requests `then` makes, 100 ms apart. */
async function audit(rule: RuleId, then: (context: { key: DpopKey; token: string }) => Promise<ExchangeObservation[]>, tokenType = 'DPoP', token?: string) {
  const key = await dpopKey()
  const issued = token ?? boundAccessToken(key.jkt)
  const inspector = createInspector()
  inspector.ingest(dpopTokenRequest(T0, await proof(key, { htm: 'POST', htu: `${AS}/token` }), issued, tokenType))
  for (const [i, observation] of (await then({ key, token: issued })).entries()) inspector.ingest({ ...observation, at: T0 + 100 * (i + 1) })
  return inspector.auditSync(T0 + 10_000).filter((f) => f.ruleId === rule)
}

describe('DPoP rules', () => {
  it('P1 (D10) a token bound by cnf.jkt sent as Bearer is high, with the request as evidence', async () => {
    const findings = await audit('P1', async ({ token }) => [resourceRequest(0, { token, scheme: 'Bearer', url: `${RS}/notes?page=2` })])
    expect(findings).toMatchObject([{ severity: 'high', title: 'DPoP-bound token sent as Bearer', reference: expect.stringContaining('RFC 9449 §7.2'), detail: expect.stringContaining('cnf.jkt'), evidence: { request: { method: 'GET', url: `${RS}/notes?page=2` } } }])
    expect(findings[0]?.reference).toContain('D10')
  })

  it('P1 an opaque token issued with token_type DPoP and sent as Bearer is high too', async () => {
    const opaque = 'opaque-dpop-token-0123456789abcdef'
    expect(await audit('P1', async () => [resourceRequest(0, { token: opaque, scheme: 'Bearer' })], 'DPoP', opaque)).toMatchObject([{ severity: 'high', detail: expect.stringContaining('token_type DPoP') }])
  })

  it('P1 not for a bound token sent with the DPoP scheme, nor for a plain Bearer token', async () => {
    expect(await audit('P1', async ({ key, token }) => [resourceRequest(0, { token, dpop: await proof(key, { htm: 'GET', htu: `${RS}/notes`, accessToken: token }) })])).toEqual([])
    const plain = accessToken()
    expect(await audit('P1', async () => [resourceRequest(0, { token: plain, scheme: 'Bearer' })], 'Bearer', plain)).toEqual([])
  })

  it('P2 a proof jti sent on two requests is medium; two proofs with their own jti are not', async () => {
    const replayed = await audit('P2', async ({ key, token }) => {
      const once = await proof(key, { htm: 'GET', htu: `${RS}/notes`, accessToken: token, jti: 'same-jti' })
      return [resourceRequest(0, { token, dpop: once }), resourceRequest(0, { token, dpop: once })]
    })
    expect(replayed).toMatchObject([{ severity: 'medium', reference: 'RFC 9449 §11.1', detail: expect.stringContaining('same-jti') }])
    expect(await audit('P2', async ({ key, token }) => [
      resourceRequest(0, { token, dpop: await proof(key, { htm: 'GET', htu: `${RS}/notes`, accessToken: token }) }),
      resourceRequest(0, { token, dpop: await proof(key, { htm: 'GET', htu: `${RS}/notes`, accessToken: token }) }),
    ])).toEqual([])
  })

  it('P3 a proof for another method (htm is case-sensitive) or another URL is medium; query and fragment are ignored', async () => {
    const p3 = (htm: string, htu: string, request: { method?: string; url?: string }) =>
      audit('P3', async ({ key, token }) => [resourceRequest(0, { token, ...request, dpop: await proof(key, { htm, htu, accessToken: token }) })])
    expect(await p3('post', `${RS}/notes`, { method: 'POST' })).toMatchObject([{ severity: 'medium', title: 'DPoP proof for another method', detail: expect.stringContaining('htm "post"') }])
    expect(await p3('GET', `${RS}/admin`, {})).toMatchObject([{ severity: 'medium', title: 'DPoP proof for another URL', reference: expect.stringContaining('RFC 9449 §4.3') }])
    expect(await p3('GET', `${RS.replace('https', 'http')}/notes`, {})).toHaveLength(1)
    expect(await p3('GET', `${RS}/notes`, { url: `${RS}/notes?page=2#top` })).toEqual([])
    expect(await p3('GET', `${RS.toUpperCase().replace('HTTPS', 'https')}:443/notes`, {})).toEqual([])
  })

  it('P3 a proof sent with an access token but without ath, or with the hash of another token, is medium; the token request needs none', async () => {
    const missing = await audit('P3', async ({ key, token }) => [resourceRequest(0, { token, dpop: await proof(key, { htm: 'GET', htu: `${RS}/notes` }) })])
    expect(missing).toMatchObject([{ severity: 'medium', title: 'DPoP proof without ath', reference: expect.stringContaining('§7') }])
    const other = await audit('P3', async ({ key, token }) => [resourceRequest(0, { token, dpop: await proof(key, { htm: 'GET', htu: `${RS}/notes`, accessToken: `${token}x` }) })])
    expect(other).toMatchObject([{ title: 'DPoP proof ath for another token' }])
    expect(await audit('P3', async () => [])).toEqual([])
  })
})
