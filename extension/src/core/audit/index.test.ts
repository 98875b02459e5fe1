import { describe, expect, it } from 'vitest'
import { RULES, SEVERITY_ORDER, auditSync, runAudit } from './index.ts'
import { RFC7519_6_1, makeJwt, signHmacJwt } from '../testing/tokens.ts'
import { cookie, tokenRecords } from '../testing/records.ts'

const NOW = Date.UTC(2026, 0, 1)

async function messyPage() {
  const access = await signHmacJwt({ sub: 'ada@example.com', email: 'ada@example.com', iat: NOW / 1000, exp: NOW / 1000 + 86_400 * 2 }, 'secret')
  const sessionValue = 'S3ss10nValue-0123456789abcdef'
  return {
    access,
    sessionValue,
    input: {
      tokens: tokenRecords(
        { value: access, source: 'local-storage', key: 'token' },
        { value: access, source: 'authorization-header', at: NOW, exchange: { method: 'GET', url: `http://api.example.com/notes?access_token=${access}`, status: 200 } },
        { value: RFC7519_6_1, source: 'session-storage', key: 'legacy' },
      ),
      cookies: [cookie({ name: 'session', value: sessionValue, httpOnly: false, secure: false, sameSite: 'unspecified', domain: '.example.com' })],
      pageUrl: 'https://app.example.com/',
      nowMs: NOW,
    },
  }
}

describe('runAudit', () => {
  it('covers tokens and cookies together, most severe first, with a reference on every finding', async () => {
    const { input } = await messyPage()
    const findings = await runAudit(input)
    const ids = findings.map((f) => f.ruleId)
    for (const rule of ['J1', 'J2', 'J5', 'J8', 'J10', 'J12', 'W1', 'W2', 'C1', 'C2', 'C3', 'C4'] as const) expect(ids, rule).toContain(rule)
    const severities = findings.map((f) => SEVERITY_ORDER.indexOf(f.severity))
    expect(severities).toEqual([...severities].sort((a, b) => a - b))
    expect(findings[0]).toMatchObject({ ruleId: 'J1', severity: 'critical' })
    for (const f of findings) expect(f.reference.length).toBeGreaterThan(5)
  })

  it('never puts a token value, cookie value or e-mail address in a finding (they go into exports)', async () => {
    const { input, access, sessionValue } = await messyPage()
    const text = JSON.stringify(await runAudit(input))
    expect(text).not.toContain(access.split('.')[1])
    expect(text).not.toContain(access.split('.')[2])
    expect(text).not.toContain(sessionValue)
    expect(text).not.toContain('ada@example.com')
  })

  it('finding ids are unique and stable across runs (E12: re-announced state does not duplicate)', async () => {
    const { input } = await messyPage()
    const first = (await runAudit(input)).map((f) => f.id)
    const second = auditSync(input).map((f) => f.id)
    expect(new Set(first).size).toBe(first.length)
    expect(first.filter((id) => !id.startsWith('J2:'))).toEqual(second)
  })

  it('a clean page has no findings beyond informational ones', () => {
    const token = makeJwt({ iss: 'https://issuer.example', aud: 'https://api.example.com', sub: 'u1', iat: NOW / 1000, exp: NOW / 1000 + 600 })
    const findings = auditSync({
      tokens: tokenRecords({ value: token, source: 'authorization-header', at: NOW, exchange: { method: 'GET', url: 'https://api.example.com/notes', status: 200 } }),
      cookies: [cookie({ name: '__Host-sid', sameSite: 'strict' }), cookie({ name: 'XSRF-TOKEN', httpOnly: false })],
      pageUrl: 'https://app.example.com/',
      nowMs: NOW,
    })
    expect(findings).toEqual([])
  })

  it('the catalog lists every rule with a severity and a reference', () => {
    expect(Object.keys(RULES)).toEqual(['J1', 'J2', 'J3', 'J4', 'J5', 'J6', 'J7', 'J8', 'J9', 'J10', 'J11', 'J12', 'J13', 'A1', 'A2', 'A3', 'A4', 'P1', 'P2', 'P3', 'F1', 'F2', 'W1', 'W2', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6'])
    for (const rule of Object.values(RULES)) expect(rule.reference).toMatch(/RFC|OWASP/)
  })
})
