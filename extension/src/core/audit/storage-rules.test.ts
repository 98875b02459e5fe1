import { describe, expect, it } from 'vitest'
import { auditSync } from './index.ts'
import { makeJwt } from '../testing/tokens.ts'
import { cookie, tokenRecords, type SightingSpec } from '../testing/records.ts'

const TOKEN = makeJwt({ iss: 'https://issuer.example', aud: 'x', sub: 'u1', iat: 1, exp: 2 })
const run = (...specs: SightingSpec[]) => auditSync({ tokens: tokenRecords(...specs), cookies: [], nowMs: 0 })

describe('storage rules', () => {
  it('W1 a token in localStorage is medium, with the XSS explanation (E5)', () => {
    const [w1] = run({ value: TOKEN, source: 'local-storage', key: 'auth.access_token' }).filter((f) => f.ruleId === 'W1')
    expect(w1).toMatchObject({ severity: 'medium', title: 'Token in localStorage', evidence: { tokenId: expect.stringMatching(/^t/) } })
    expect(w1?.detail).toMatch(/XSS/)
    expect(w1?.detail).toMatch(/"auth\.access_token"/)
    // The SDK bridge saying it stores in localStorage counts too; memory does not.
    expect(run({ value: TOKEN, source: 'sdk-bridge', key: 'localStorage' }).filter((f) => f.ruleId === 'W1')).toHaveLength(1)
    expect(run({ value: TOKEN, source: 'sdk-bridge', key: 'memory' }).filter((f) => f.ruleId === 'W1')).toEqual([])
  })

  it('W2 a token in sessionStorage is low (E5); an opaque token counts too, a token only in memory does not', () => {
    expect(run({ value: TOKEN, source: 'session-storage', key: 'jwt' }).filter((f) => f.ruleId === 'W2')).toMatchObject([{ severity: 'low' }])
    expect(run({ value: 'opaque-0123456789abcdef', source: 'session-storage', key: 'token' }).filter((f) => f.ruleId === 'W2')).toHaveLength(1)
    expect(run({ value: TOKEN, source: 'authorization-header' }).filter((f) => f.ruleId === 'W1' || f.ruleId === 'W2')).toEqual([])
  })

  it('E5 a token in localStorage, sessionStorage or a JS-readable cookie: each gets a finding explaining XSS', () => {
    const jsCookie = cookie({ name: 'access', value: TOKEN, httpOnly: false })
    const all = auditSync({
      tokens: tokenRecords({ value: TOKEN, source: 'local-storage', key: 'a' }, { value: makeJwt({ sub: 'u2' }), source: 'session-storage', key: 'b' }),
      cookies: [jsCookie],
      nowMs: 0,
    })
    for (const rule of ['W1', 'W2', 'C1'] as const) {
      const found = all.find((f) => f.ruleId === rule)
      expect(found?.detail, rule).toMatch(/XSS/)
    }
    const safe = auditSync({ tokens: tokenRecords({ value: TOKEN, source: 'authorization-header' }), cookies: [{ ...jsCookie, httpOnly: true }], nowMs: 0 })
    expect(safe.filter((f) => f.ruleId === 'W1' || f.ruleId === 'W2' || f.ruleId === 'C1')).toEqual([])
  })
})
