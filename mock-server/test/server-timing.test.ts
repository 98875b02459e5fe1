import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, httpAgent, inProcessAgent, type AgentResponse } from './agent.ts'
import { useLocalRedis } from './redis.ts'

/** The header with every duration replaced, e.g. `verify;desc="ES256", store;desc="memory"`. */
const steps = (response: AgentResponse): string | null => {
  const header = response.headers.get('server-timing')
  if (header === null) return null
  // Each step: a name, a duration in milliseconds to 0.1 µs, a description.
  expect(header).toMatch(/^\w+;dur=\d+\.\d{4};desc="[^"]+"(, \w+;dur=\d+\.\d{4};desc="[^"]+")*$/)
  return header.replace(/;dur=[\d.]+/g, '')
}

const duration = (response: AgentResponse, step: string): number => Number(new RegExp(`${step};dur=([\\d.]+)`).exec(response.headers.get('server-timing') ?? '')?.[1])

/** What the server did for each kind of request, as a client reads it from `Server-Timing`. */
async function observe(agent: Agent) {
  const login = await agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'wonderland' } })
  const { accessToken, refreshToken } = login.body as { accessToken: string; refreshToken: string }
  const bearer = await agent.request('GET', '/api/me', { bearer: accessToken })
  const refresh = await agent.request('POST', '/api/auth/refresh', { json: { refreshToken } })
  const [header = '', payload = ''] = accessToken.split('.')
  const forged = await agent.request('GET', '/api/me', { bearer: `${header}.${payload}.${'A'.repeat(86)}` })
  const malformed = await agent.request('GET', '/api/me', { bearer: 'abc.def' })
  const sessionLogin = await agent.loginSession('bob', 'builder-bob')
  const session = await agent.request('GET', '/api/me')
  return { login, bearer, refresh, forged, malformed, sessionLogin, session }
}

describe('Server-Timing: the server reports its own work per request', () => {
  const redis = useLocalRedis()
  let http: Awaited<ReturnType<typeof httpAgent>>
  beforeAll(async () => {
    http = await httpAgent()
  })
  afterAll(() => http.close())

  it('names each step of the credential check, in MSW handlers and over real HTTP alike', async () => {
    for (const agent of [inProcessAgent(), http.agent]) {
      const seen = await observe(agent)
      expect(steps(seen.bearer)).toBe('verify;desc="ES256", store;desc="memory"')
      expect(steps(seen.session)).toBe('lookup;desc="memory"')
      expect(steps(seen.login)).toBe('password;desc="PBKDF2-SHA256", store;desc="memory", sign;desc="ES256"')
      expect(steps(seen.refresh)).toBe('store;desc="memory", sign;desc="ES256"')
      expect(steps(seen.sessionLogin)).toBe('password;desc="PBKDF2-SHA256", store;desc="memory"')
      // A forged signature cost a verification too; a token refused unread cost nothing.
      expect(seen.forged.status).toBe(401)
      expect(steps(seen.forged)).toBe('verify;desc="ES256"')
      expect(seen.malformed.status).toBe(401)
      expect(steps(seen.malformed)).toBeNull()
      expect(duration(seen.bearer, 'verify')).toBeGreaterThan(0)
      expect(duration(seen.session, 'lookup')).toBeGreaterThan(0)
    }
  })

  it('a stateless HS256 token costs a verification and nothing else', async () => {
    const agent = inProcessAgent({ algorithm: 'HS256', accessTokenDenylist: false })
    const { accessToken } = await agent.loginJwt()
    expect(steps(await agent.request('GET', '/api/me', { bearer: accessToken }))).toBe('verify;desc="HS256"')
  })

  it('says when a step waited on a shared store', async () => {
    const agent = inProcessAgent({ store: await redis.store() })
    const { accessToken } = await agent.loginJwt()
    expect(steps(await agent.request('GET', '/api/me', { bearer: accessToken }))).toBe('verify;desc="ES256", store;desc="redis"')
    await agent.loginSession()
    expect(steps(await agent.request('GET', '/api/me'))).toBe('lookup;desc="redis"')
  })

  it('lets a trusted foreign origin read the timings (CORS and Resource Timing), and no other', async () => {
    const partner = 'https://app.partner.test'
    const agent = inProcessAgent({ trustedOrigins: [partner] })
    const { accessToken } = await agent.loginJwt()
    const from = (origin: string) => agent.request('GET', '/api/me', { bearer: accessToken, headers: { origin } })

    const trusted = await from(partner)
    expect(trusted.headers.get('timing-allow-origin')).toBe(partner)
    expect(trusted.headers.get('access-control-expose-headers')).toBe('Server-Timing, DPoP-Nonce, WWW-Authenticate')
    for (const other of [await from('https://evil.example'), await from('http://localhost'), await agent.request('GET', '/api/me', { bearer: accessToken })]) {
      expect(other.headers.get('timing-allow-origin')).toBeNull()
      expect(other.headers.get('access-control-expose-headers')).toBeNull()
    }
  })
})
