import { describe, expect, it } from 'vitest'
import type { DpopEvent } from './dpop-flow.ts'
import { createInspector, type TimelineEntry } from './inspector.ts'
import { buildRedactedExport } from './redact.ts'
import { AS, RS, boundAccessToken, dpopKey, dpopTokenRequest, proof, resourceRequest } from './testing/dpop.ts'
import { exchange } from './testing/observations.ts'
import { accessToken } from './testing/oidc.ts'

const T0 = Date.UTC(2026, 0, 1, 12)
const dpopEntries = (timeline: TimelineEntry[]) => timeline.filter((e): e is TimelineEntry & DpopEvent => e.kind === 'dpop-request')

/** Sign in with DPoP: the token request with a proof, then an API call with the token and a proof of the same key. */
async function signedIn() {
  const key = await dpopKey()
  const token = boundAccessToken(key.jkt)
  const tokenProof = await proof(key, { htm: 'POST', htu: `${AS}/token` })
  const apiProof = await proof(key, { htm: 'GET', htu: `${RS}/notes`, accessToken: token })
  const inspector = createInspector()
  inspector.ingest(dpopTokenRequest(T0, tokenProof, token))
  inspector.ingest(resourceRequest(T0 + 100, { token, dpop: apiProof }))
  const tokenId = inspector.snapshot().tokens.find((t) => t.value === token)?.id ?? ''
  return { inspector, key, token, tokenId, tokenProof, apiProof }
}

describe('DPoP on the timeline and in the token binding', () => {
  it('the token request: its proof decoded (htm, htu, jti, iat, thumbprint, no ath needed), token_type DPoP on the exchange; the token bound by cnf.jkt', async () => {
    const { inspector, key, tokenId } = await signedIn()
    const { timeline, dpop } = inspector.snapshot()
    const [tokenRequest] = dpopEntries(timeline)
    expect(tokenRequest).toMatchObject({
      method: 'POST',
      url: `${AS}/token`,
      token: null,
      proof: { jkt: key.jkt, keyType: 'EC P-256', htm: 'POST', htu: `${AS}/token`, jti: expect.stringMatching(/^jti-/), iat: 1_767_268_800, ath: 'absent', nonce: false, fits: { htm: true, htu: true }, replayed: false, problems: [] },
    })
    expect(timeline.find((e) => e.kind === 'token-response')).toMatchObject({ tokenType: 'DPoP', accessTokenId: tokenId })
    expect(dpop[tokenId]).toMatchObject({ jkt: key.jkt, basis: 'cnf.jkt' })
  })

  it('a resource request with the token and a proof of its key: binding yes, ath matches; a proof of another key: binding no', async () => {
    const { inspector, key, token, tokenId } = await signedIn()
    const other = await dpopKey()
    inspector.ingest(resourceRequest(T0 + 200, { token, dpop: await proof(other, { htm: 'GET', htu: `${RS}/notes`, accessToken: token }), status: 401 }))
    const [, yes, no] = dpopEntries(inspector.snapshot().timeline)
    expect(yes).toMatchObject({ token: { id: tokenId, scheme: 'DPoP', binding: 'yes', boundTo: key.jkt }, proof: { jkt: key.jkt, ath: 'matches' } })
    expect(no).toMatchObject({ status: 401, token: { binding: 'no', boundTo: key.jkt }, proof: { jkt: other.jkt } })
    expect(inspector.snapshot().dpop[tokenId]?.sent).toEqual({ yes: 1, no: 1, 'no-proof': 0, bearer: 0, unknown: 0 })
  })

  it('an opaque token issued with token_type DPoP is bound to the key of the proof that asked for it', async () => {
    const key = await dpopKey()
    const opaque = 'opaque-dpop-token-0123456789abcdef'
    const inspector = createInspector()
    inspector.ingest(dpopTokenRequest(T0, await proof(key, { htm: 'POST', htu: `${AS}/token` }), opaque))
    inspector.ingest(resourceRequest(T0 + 1, { token: opaque, dpop: await proof(key, { htm: 'GET', htu: `${RS}/notes`, accessToken: opaque }) }))
    const id = inspector.snapshot().tokens.find((t) => t.value === opaque)?.id ?? ''
    expect(inspector.snapshot().dpop[id]).toMatchObject({ jkt: key.jkt, basis: 'token_type' })
    expect(dpopEntries(inspector.snapshot().timeline)[1]?.token).toMatchObject({ binding: 'yes' })
  })

  it('D10 a bound token sent as Bearer is on the timeline as a downgrade; the DPoP scheme without a proof says so; a token never seen issued is unknown', async () => {
    const { inspector, token, tokenId } = await signedIn()
    inspector.ingest(resourceRequest(T0 + 300, { token, scheme: 'Bearer' }))
    inspector.ingest(resourceRequest(T0 + 400, { token }))
    const stranger = 'opaque-token-from-before-0123456789'
    inspector.ingest(resourceRequest(T0 + 500, { token: stranger, dpop: await proof(await dpopKey(), { htm: 'GET', htu: `${RS}/notes`, accessToken: stranger }) }))
    const entries = dpopEntries(inspector.snapshot().timeline).slice(2)
    expect(entries.map((e) => [e.token?.scheme, e.token?.binding, e.proof === null])).toEqual([
      ['Bearer', 'bearer', true],
      ['DPoP', 'no-proof', true],
      ['DPoP', 'unknown', false],
    ])
    expect(inspector.snapshot().dpop[tokenId]).toMatchObject({ sent: { yes: 1, bearer: 1, 'no-proof': 1 }, lastBearer: { method: 'GET', url: `${RS}/notes`, at: T0 + 300 } })
  })

  it('a request seen twice (DevTools’ log re-read) is one entry, counted once, and not a replay', async () => {
    const { inspector, token, apiProof, tokenId } = await signedIn()
    inspector.ingest(resourceRequest(T0 + 100, { token, dpop: apiProof }))
    expect(dpopEntries(inspector.snapshot().timeline)).toHaveLength(2)
    expect(inspector.snapshot().dpop[tokenId]?.sent.yes).toBe(1)
    expect(inspector.auditSync(T0 + 200).filter((f) => f.ruleId.startsWith('P'))).toEqual([])
  })

  it('an app without DPoP adds nothing: a Bearer token with no cnf, no DPoP header', () => {
    const inspector = createInspector()
    inspector.ingest(exchange({ at: T0, url: `${RS}/notes`, requestHeaders: { Authorization: `Bearer ${accessToken()}` } }))
    expect(dpopEntries(inspector.snapshot().timeline)).toEqual([])
    expect(inspector.snapshot().dpop).toEqual({})
  })

  it('the timeline, the snapshot and the redacted export hold no proof whole, no proof signature and no access token; reset forgets the bindings', async () => {
    const { inspector, token, tokenProof, apiProof } = await signedIn()
    const { timeline, tokens, dpop } = inspector.snapshot()
    const held = JSON.stringify({ timeline, dpop })
    const exported = JSON.stringify(buildRedactedExport({ tokens, cookies: [], findings: inspector.auditSync(T0 + 200), timeline, nowMs: T0 + 200 }))
    for (const secret of [tokenProof, apiProof, tokenProof.split('.')[2], apiProof.split('.')[2], token]) {
      expect(held).not.toContain(secret)
      expect(exported).not.toContain(secret)
    }
    inspector.reset()
    expect(inspector.snapshot().dpop).toEqual({})
  })
})
