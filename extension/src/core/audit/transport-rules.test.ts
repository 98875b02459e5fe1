import { describe, expect, it } from 'vitest'
import { auditSync, type RuleId } from './index.ts'
import { makeJwt } from '../testing/tokens.ts'
import { tokenRecords, type SightingSpec } from '../testing/records.ts'

const NOW = Date.UTC(2026, 0, 1)
const S = (ms: number) => Math.floor(ms / 1000)
const TOKEN = makeJwt({ iss: 'https://issuer.example', aud: 'https://api.example.com', sub: 'u1', iat: S(NOW - 60_000), exp: S(NOW + 600_000) })
const sentTo = (url: string, at = NOW, value = TOKEN): SightingSpec => ({ value, source: 'authorization-header', key: 'Authorization', at, exchange: { method: 'GET', url, status: 200 } })
const run = (rule: RuleId, specs: SightingSpec[], pageUrl = 'https://app.example.com/') =>
  auditSync({ tokens: tokenRecords(...specs), cookies: [], nowMs: NOW + 3_600_000, pageUrl }).filter((f) => f.ruleId === rule)

describe('transport rules', () => {
  it('J7 an expired JWT still being sent, with the request as evidence; sent while valid is fine', () => {
    const late = run('J7', [sentTo('https://api.example.com/notes', NOW + 700_000)])
    expect(late).toMatchObject([{ severity: 'medium', evidence: { request: { method: 'GET', url: 'https://api.example.com/notes' } } }])
    expect(run('J7', [sentTo('https://api.example.com/notes', NOW + 500_000)])).toEqual([])
    // Within the 60 s clock tolerance: not yet.
    expect(run('J7', [sentTo('https://api.example.com/notes', NOW + 630_000)])).toEqual([])
  })

  it('J11 a token in a URL query, a fragment or a Location header, URL redacted in the evidence', () => {
    const query = run('J11', [{ value: TOKEN, source: 'url-query', key: 'access_token', direction: 'sent', exchange: { method: 'GET', url: `https://api.example.com/x?access_token=${TOKEN}`, status: 200 } }])
    expect(query).toMatchObject([{ severity: 'medium', evidence: { request: { url: 'https://api.example.com/x?access_token=REDACTED' } } }])
    expect(JSON.stringify(query)).not.toContain(TOKEN)
    expect(run('J11', [{ value: TOKEN, source: 'url-fragment', key: 'id_token', direction: 'received' }])[0]?.detail).toMatch(/fragment/)
    expect(run('J11', [{ value: TOKEN, source: 'location-header', key: 'code_token', direction: 'received' }])[0]?.detail).toMatch(/Location/)
    expect(run('J11', [sentTo('https://api.example.com/notes')])).toEqual([])
  })

  it('J12 a bearer token over http to a non-loopback host is high (E9); https and loopback http are fine', () => {
    expect(run('J12', [sentTo('http://api.example.com/notes')])).toMatchObject([{ severity: 'high', evidence: { request: { url: 'http://api.example.com/notes' } } }])
    expect(run('J12', [sentTo('http://192.168.1.20:8080/notes')], 'http://192.168.1.20:8080/')).toHaveLength(1)
    expect(run('J12', [sentTo('https://api.example.com/notes')])).toEqual([])
    expect(run('J12', [sentTo('http://localhost:8787/api/notes')], 'http://localhost:5173/')).toEqual([])
    expect(run('J12', [sentTo('http://127.0.0.1:8787/api/notes')], 'http://localhost:5173/')).toEqual([])
  })

  it('J12 a bearer token sent to a third-party site (E9) is a low finding; the same site is fine', () => {
    expect(run('J12', [sentTo('https://collector.tracker.example/v1')])).toMatchObject([{ severity: 'low', title: 'Bearer token sent to another site' }])
    expect(run('J12', [sentTo('https://api.example.com/v1')])).toEqual([])
    expect(run('J12', [sentTo('https://collector.tracker.example/v1')], '')).toEqual([])
    // Sites by the Public Suffix List: another tenant of github.io is another site; co.uk is a suffix.
    expect(run('J12', [sentTo('https://mallory.github.io/collect')], 'https://alice.github.io/')).toMatchObject([{ severity: 'low', detail: expect.stringContaining('mallory.github.io') }])
    expect(run('J12', [sentTo('https://api.example.co.uk/v1')], 'https://www.example.co.uk/')).toEqual([])
    expect(run('J12', [sentTo('https://api.other.co.uk/v1')], 'https://www.example.co.uk/')).toHaveLength(1)
  })

  it('E9 a bearer token over http to a non-localhost host, or to a third-party origin: a finding with the request as evidence', () => {
    const http = run('J12', [sentTo('http://api.example.com/notes?page=1')])
    expect(http).toMatchObject([{ severity: 'high', evidence: { request: { method: 'GET', url: 'http://api.example.com/notes?page=1' }, place: { source: 'authorization-header' } } }])
    const thirdParty = run('J12', [sentTo('https://api.partner.example/v1/sync')])
    expect(thirdParty).toMatchObject([{ evidence: { request: { url: 'https://api.partner.example/v1/sync' } } }])
    expect(run('J12', [sentTo('https://api.example.com/notes')])).toEqual([])
  })
})
