import { describe, expect, it } from 'vitest'
import { auditSync, type RuleId } from './index.ts'
import type { CookieRecord } from '../cookies.ts'
import { makeJwt } from '../testing/tokens.ts'
import { cookie } from '../testing/records.ts'

const NOW = Date.UTC(2026, 0, 1)
const HARDENED = cookie({ name: '__Host-sid', httpOnly: true, secure: true, sameSite: 'lax' })
const run = (rule: RuleId, cookies: CookieRecord[], pageUrl = 'https://app.example.com/') =>
  auditSync({ tokens: [], cookies, nowMs: NOW, pageUrl }).filter((f) => f.ruleId === rule)

describe('cookie rules', () => {
  it('C1 an auth cookie without HttpOnly is high (E5, E6); the CSRF cookie and a hardened one are not', () => {
    expect(run('C1', [cookie({ name: 'sid', httpOnly: false })])).toMatchObject([{ severity: 'high', evidence: { cookie: { name: 'sid' } } }])
    expect(run('C1', [cookie({ name: 'prefs', value: makeJwt({ sub: 'u' }), httpOnly: false })])).toHaveLength(1)
    expect(run('C1', [cookie({ name: 'XSRF-TOKEN', httpOnly: false })])).toEqual([])
    expect(run('C1', [cookie({ name: 'theme', value: 'dark', httpOnly: false })])).toEqual([])
    expect(run('C1', [HARDENED])).toEqual([])
  })

  it('C2 an auth cookie without Secure on an https page is high (E6); on http localhost it is not', () => {
    expect(run('C2', [cookie({ name: 'sid', secure: false })])).toMatchObject([{ severity: 'high' }])
    expect(run('C2', [cookie({ name: 'sid', secure: false })], 'http://localhost:5173/')).toEqual([])
    expect(run('C2', [HARDENED])).toEqual([])
  })

  it('C3 SameSite=None without Secure is high, unspecified medium (E6); Lax and Strict are fine', () => {
    expect(run('C3', [cookie({ name: 'sid', sameSite: 'no_restriction', secure: false })])).toMatchObject([{ severity: 'high' }])
    expect(run('C3', [cookie({ name: 'sid', sameSite: 'unspecified' })])).toMatchObject([{ severity: 'medium' }])
    expect(run('C3', [cookie({ name: 'sid', sameSite: 'no_restriction', secure: true })])).toEqual([])
    expect(run('C3', [cookie({ name: 'sid', sameSite: 'strict' }), HARDENED])).toEqual([])
  })

  it('E6 a session cookie lacking HttpOnly, Secure and SameSite gets one finding per missing flag', () => {
    const bare = cookie({ name: 'session', httpOnly: false, secure: false, sameSite: 'unspecified' })
    const rules = auditSync({ tokens: [], cookies: [bare], nowMs: NOW, pageUrl: 'https://app.example.com/' }).map((f) => f.ruleId)
    expect(rules.filter((r) => r === 'C1' || r === 'C2' || r === 'C3').sort()).toEqual(['C1', 'C2', 'C3'])
  })

  it('C4 no __Host- prefix, or a parent Domain, is low; __Host- host-only is fine', () => {
    expect(run('C4', [cookie({ name: 'sid' })])[0]?.detail).toMatch(/__Host-/)
    expect(run('C4', [cookie({ name: 'sid', domain: '.example.com' })])[0]?.detail).toMatch(/Domain=\.example\.com/)
    expect(run('C4', [cookie({ name: 'sid', domain: '.example.com', hostOnly: false })])).toMatchObject([{ severity: 'low' }])
    expect(run('C4', [HARDENED])).toEqual([])
  })

  it('C4 CHIPS: the same cookie in two partitions gives two findings, each naming its partition key', () => {
    const a = cookie({ name: 'embed_session', sameSite: 'no_restriction', partitionKey: { topLevelSite: 'https://shop.example' } })
    const b = cookie({ name: 'embed_session', sameSite: 'no_restriction', partitionKey: { topLevelSite: 'https://news.example', hasCrossSiteAncestor: true } })
    const found = run('C4', [a, b])
    expect(found).toHaveLength(2)
    expect(new Set(found.map((f) => f.id)).size).toBe(2)
    expect(found.map((f) => f.evidence.cookie?.partition).sort()).toEqual(['partitioned under https://news.example (cross-site ancestor)', 'partitioned under https://shop.example'])
  })

  it('C5 a persistent auth cookie far in the future, or outliving the JWT it carries, is low; a short one is fine', () => {
    const farFuture = cookie({ name: 'rt', session: false, expirationDate: NOW / 1000 + 400 * 86_400 })
    expect(run('C5', [farFuture])).toMatchObject([{ severity: 'low', detail: expect.stringMatching(/beyond 30 days/) }])
    const jwt = makeJwt({ sub: 'u', exp: NOW / 1000 + 900 })
    const outlives = cookie({ name: 'access', value: jwt, session: false, expirationDate: NOW / 1000 + 7 * 86_400 })
    expect(run('C5', [outlives])[0]?.detail).toMatch(/outlives the JWT/)
    expect(run('C5', [cookie({ name: 'access', value: jwt, session: false, expirationDate: NOW / 1000 + 900 })])).toEqual([])
    expect(run('C5', [HARDENED])).toEqual([])
  })

  it('session id cookies under framework names get the session rules: C1–C4 per missing flag, C5 when persistent, C6 for the default name', () => {
    const names = ['connect.sid', 'JSESSIONID', 'PHPSESSID', 'laravel_session', '_session_id', 'ASP.NET_SessionId', 'SESS0123456789abcdef0123456789abcdef']
    for (const name of names) {
      const bare = cookie({ name, value: 's%3Aa9f1c2e7b4d0.sig', httpOnly: false, secure: false, sameSite: 'unspecified', session: false, expirationDate: NOW / 1000 + 3600 })
      const rules = auditSync({ tokens: [], cookies: [bare], nowMs: NOW, pageUrl: 'https://app.example.com/' }).map((f) => f.ruleId)
      expect(rules.sort(), name).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6'])
    }
    expect(run('C5', [cookie({ name: 'connect.sid', session: false, expirationDate: NOW / 1000 + 3600 })])[0]?.detail).toMatch(/session id in a persistent cookie/)
    expect(run('C6', [cookie({ name: 'PHPSESSID' })])).toMatchObject([{ severity: 'info', detail: expect.stringContaining('PHP') }])
    // An app's own name, hardened: nothing to say.
    expect(auditSync({ tokens: [], cookies: [HARDENED], nowMs: NOW, pageUrl: 'https://app.example.com/' })).toEqual([])
  })
})
