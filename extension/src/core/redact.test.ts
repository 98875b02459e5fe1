import { describe, expect, it } from 'vitest'
import { auditSync } from './audit/index.ts'
import { buildRedactedExport, exportToJson, maskValue, redactClaims, redactCookie, redactUrl, scrubText } from './redact.ts'
import { JWE_EXAMPLE, makeJwt } from './testing/tokens.ts'
import { cookie, tokenRecords } from './testing/records.ts'

const NOW = Date.UTC(2026, 0, 1)

describe('masking', () => {
  it('E13 cookie values are masked by default: length kept, value gone', () => {
    expect(maskValue('s3cr3t-session-id')).toBe('••••• (17 chars)')
    expect(maskValue('')).toBe('')
    const redacted = redactCookie(cookie({ name: 'sid', value: 'abcdef0123456789', partitionKey: { topLevelSite: 'https://shop.example' } }))
    expect(redacted).toMatchObject({ name: 'sid', value: '••••• (16 chars)', size: 19, httpOnly: true, partition: 'partitioned under https://shop.example' })
    expect(JSON.stringify(redacted)).not.toContain('abcdef0123456789')
  })

  it('masks personal and secret claims at any depth, keeps the rest', () => {
    const claims = { sub: 'u1', email: 'ada@example.com', address: { street: '1 Main St' }, org: { owner_email: 'bob@example.com', plan: 'pro' }, password: 'hunter2', exp: 1 }
    expect(redactClaims(claims)).toEqual({ sub: 'u1', email: '••••• (15 chars)', address: '••••• (masked)', org: { owner_email: '••••• (15 chars)', plan: 'pro' }, password: '••••• (7 chars)', exp: 1 })
  })

  it('masks credential parameters in URLs (an authorization code however short) and JWTs/e-mails in free text', () => {
    const jwt = makeJwt({ sub: 'u' })
    expect(redactUrl(`https://a.example/cb?code=x&access_token=${jwt}&page=2#id_token=${jwt}&state=s`)).toBe('https://a.example/cb?code=REDACTED&access_token=REDACTED&page=2#id_token=REDACTED&state=s')
    expect(redactUrl('https://user:pw@a.example/x?email=ada@example.com')).toBe('https://a.example/x?email=REDACTED')
    expect(scrubText(`Bearer ${jwt} for ada@example.com`)).toBe('Bearer [token] for [email]')
  })
})

describe('buildRedactedExport', () => {
  it('exports signatures stripped, personal claims masked, cookie values masked, token URLs redacted, as JSON', () => {
    const access = makeJwt({ sub: 'u1', email: 'ada@example.com', name: 'Ada Lovelace', exp: NOW / 1000 + 600, iat: NOW / 1000 }, { alg: 'RS256', typ: 'at+jwt' }, 'SIGNATURE_BYTES_abc123')
    const tokens = tokenRecords(
      { value: access, source: 'local-storage', key: 'token' },
      { value: access, source: 'url-query', key: 'access_token', direction: 'sent', exchange: { method: 'GET', url: `http://api.example.com/x?access_token=${access}`, status: 200 } },
      { value: 'opaque-refresh-0123456789', source: 'cookie-jar', key: 'rt' },
      { value: JWE_EXAMPLE, source: 'session-storage', key: 'enc' },
    )
    const cookies = [cookie({ name: 'rt', value: 'opaque-refresh-0123456789', httpOnly: false })]
    const findings = auditSync({ tokens, cookies, nowMs: NOW, pageUrl: `https://app.example.com/cb#access_token=${access}` })
    const json = exportToJson(buildRedactedExport({
      tokens, cookies, findings, nowMs: NOW, pageUrl: `https://app.example.com/cb#access_token=${access}`,
      timeline: [{ kind: 'sdk-event', at: NOW, source: 'sdk', messageId: 'm1', name: 'login', data: { user: { email: 'ada@example.com', id: 'u1' } } }],
    }))
    const data = JSON.parse(json) as ReturnType<typeof buildRedactedExport>
    expect(data.format).toBe('authlens-redacted-export')
    expect(json).not.toContain('SIGNATURE_BYTES_abc123')
    expect(json).not.toContain(access.split('.')[1])
    expect(json).not.toContain('opaque-refresh-0123456789')
    expect(json).not.toContain('ada@example.com')
    expect(json).not.toContain('Ada Lovelace')
    const jws = data.tokens.find((t) => t.kind === 'jws')
    expect(jws).toMatchObject({ signature: 'stripped', claims: { sub: 'u1', email: '••••• (15 chars)', name: '••••• (12 chars)' }, expiry: { state: 'valid', remainingLocalMs: 600_000 } })
    expect(data.tokens.find((t) => t.kind === 'jwe')).toMatchObject({ header: { alg: 'RSA1_5', enc: 'A128CBC-HS256' }, signature: 'not-applicable' })
    expect(data.tokens.find((t) => t.kind === 'opaque')?.reason).toMatch(/opaque/)
    expect(data.page).toBe('https://app.example.com/cb#access_token=REDACTED')
    expect(data.cookies[0]?.value).toBe('••••• (25 chars)')
    expect(data.findings.length).toBeGreaterThan(0)
  })
})
