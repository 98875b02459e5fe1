import { describe, expect, it } from 'vitest'
import { inProcessAgent } from './agent.ts'

describe('POST /__mock/memory-probe', () => {
  it('measures bytes per session in a separate store, holds nothing for JWTs, and leaves the live store alone', async () => {
    const agent = inProcessAgent()
    await agent.loginSession()
    const live = agent.backend.snapshot()
    expect(live.liveSessions).toBe(1)

    const probe = await agent.request('POST', '/__mock/memory-probe', { json: { sessions: 2_000 } })
    expect(probe.status).toBe(200)
    expect(probe.body).toMatchObject({ sessions: 2_000, jwts: 2_000, jwtServerEntries: 0 })
    expect(probe.body.bytesPerSession).toBeGreaterThan(0)
    expect(probe.body.totalBytes).toBeGreaterThanOrEqual(probe.body.bytesPerSession)
    expect(typeof probe.body.method).toBe('string')
    expect(Number.isFinite(probe.body.jwtHeapDeltaBytes)).toBe(true)

    // Cleanup: the live store, the stats and the denylist are as they were.
    const after = agent.backend.snapshot()
    expect(after.liveSessions).toBe(live.liveSessions)
    expect(after.signatureVerifications).toBe(live.signatureVerifications)
    expect(after.revokedAccessTokens).toBe(live.revokedAccessTokens)
    expect((await agent.request('GET', '/api/me')).status).toBe(200)
  }, 60_000)

  it('with bffSessions, measures BFF session records, their access and refresh token included; refused when the BFF is off', async () => {
    const agent = inProcessAgent({ issuer: 'http://localhost', bff: true })
    const probe = await agent.request('POST', '/__mock/memory-probe', { json: { sessions: 100, bffSessions: 1_000 } })
    expect(probe.status).toBe(200)
    const { bff } = probe.body
    expect(bff).toMatchObject({ sessions: 1_000, refreshTokenBytes: 43 })
    expect(bff.accessTokenBytes).toBeGreaterThan(300)
    // A record holds at least its two tokens, so it costs more than they weigh.
    expect(bff.bytesPerSession).toBeGreaterThan(bff.accessTokenBytes + bff.refreshTokenBytes)
    expect(agent.backend.snapshot().liveBffSessions).toBe(0)

    const off = await inProcessAgent().request('POST', '/__mock/memory-probe', { json: { sessions: 10, bffSessions: 10 } })
    expect(off.status).toBe(501)
    expect(off.body.error).toBe('not_supported')
  }, 60_000)

  it('refuses counts outside 1..20000', async () => {
    const agent = inProcessAgent()
    for (const sessions of [0, 20_001, 1.5, '10']) {
      const response = await agent.request('POST', '/__mock/memory-probe', { json: { sessions } })
      expect(response.status).toBe(400)
      expect(response.body.error).toBe('invalid_request')
      const bff = await agent.request('POST', '/__mock/memory-probe', { json: { sessions: 1, bffSessions: sessions } })
      expect(bff.status).toBe(400)
    }
  })

  it('answers 501 not_supported in the browser worker runtime, which has no heap to read', async () => {
    const agent = inProcessAgent({ cookieJar: 'document' })
    const response = await agent.request('POST', '/__mock/memory-probe', { json: { sessions: 10 } })
    expect(response.status).toBe(501)
    expect(response.body.error).toBe('not_supported')
  })
})
