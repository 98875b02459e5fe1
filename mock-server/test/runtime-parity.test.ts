import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setupMockServer } from '../src/runtimes/node.ts'
import { Agent, httpAgent, testOptions, type AgentResponse } from './agent.ts'

/** Transport details a real server adds and MSW does not; nothing about auth lives in them. */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'])

interface Observed {
  step: string
  status: number
  headers: Record<string, string>
  body: unknown
}

function normalize(step: string, response: AgentResponse): Observed {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (TRANSPORT_HEADERS.has(name) || name === 'set-cookie') return
    headers[name] = value
  })
  // Cookie values are random per backend; their names and attributes must match. So are durations:
  // the steps each runtime reports, and their descriptions, must match.
  headers['set-cookie'] = response.setCookies.map((line) => line.replace(/=[^;]*/, '=<value>')).join(' | ')
  if (headers['server-timing']) headers['server-timing'] = headers['server-timing'].replace(/dur=[\d.]+/g, 'dur=<ms>')
  const body = response.body
  const shape =
    body && typeof body === 'object'
      ? 'error' in body
        ? { error: body.error, reason: body.reason }
        : Object.keys(body).sort()
      : body
  return { step, status: response.status, headers, body: shape }
}

/** The same requests, in the same order, as a browser-like client would send them. */
async function runVectors(agent: Agent): Promise<Observed[]> {
  const seen: Observed[] = []
  const record = async (step: string, response: Promise<AgentResponse>) => seen.push(normalize(step, await response))
  const forged = 'eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ1X2FsaWNlIiwiZXhwIjo5OTk5OTk5OTk5fQ.'

  await record('no credentials', agent.request('GET', '/api/me'))
  await record('M1 alg none', agent.request('GET', '/api/me', { bearer: forged }))
  await record('M6 two segments', agent.request('GET', '/api/me', { bearer: 'abc.def' }))
  await record('M6 100 KB token', agent.request('GET', '/api/me', { bearer: 'a'.repeat(100_000) }))
  await record('M27 token in query', agent.request('GET', '/api/me?access_token=abc'))
  await record('M17 unknown user', agent.request('POST', '/api/auth/login', { json: { username: 'nobody', password: 'x' } }))
  await record('M17 wrong password', agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'x' } }))
  await record('M18 malformed JSON', agent.request('POST', '/api/auth/login', { body: '{"user', headers: { 'content-type': 'application/json' } }))
  await record('M18 missing fields', agent.request('POST', '/api/auth/login', { json: { username: 'alice' } }))
  await record('M18 1 MB body', agent.request('POST', '/api/auth/login', { json: { username: 'alice', password: 'x'.repeat(1 << 20) } }))
  await record('M35 text/plain', agent.request('POST', '/api/auth/login', { body: '{}', headers: { 'content-type': 'text/plain' } }))
  await record('M35 form to JSON endpoint', agent.request('POST', '/api/session/login', { form: { username: 'alice', password: 'wonderland' } }))
  await record('M36 GET logout', agent.request('GET', '/api/auth/logout'))
  await record('M36 cross-site login', agent.request('POST', '/api/session/login', { json: { username: 'alice', password: 'wonderland' }, from: 'https://evil.example' }))
  await record('M37 foreign preflight', agent.request('OPTIONS', '/api/notes', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } }))
  await record('M9 unknown refresh token', agent.request('POST', '/api/auth/refresh', { json: { refreshToken: 'not-a-token' } }))
  await record('M32 session id never issued', agent.request('GET', '/api/session', { headers: { cookie: '__Host-sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }))

  await record('session login', agent.request('POST', '/api/session/login', { json: { username: 'alice', password: 'wonderland' } }))
  await record('M16 GET with session, no CSRF header', agent.request('GET', '/api/notes'))
  await record('M15 POST without CSRF header', agent.request('POST', '/api/notes', { json: { text: 'x' } }))
  await record('M34 Origin null', agent.request('POST', '/api/notes', { json: { text: 'x' }, headers: { origin: 'null', 'x-xsrf-token': agent.csrfToken ?? '' } }))
  await record('POST with CSRF header', agent.request('POST', '/api/notes', { json: { text: 'x' }, headers: { 'x-xsrf-token': agent.csrfToken ?? '' } }))
  await record('session logout', agent.request('POST', '/api/session/logout', { headers: { 'x-xsrf-token': agent.csrfToken ?? '' } }))
  await record('M11 session after logout', agent.request('GET', '/api/session', { headers: { cookie: '__Host-sid=gone' } }))

  const login = await agent.request('POST', '/api/auth/login', { json: { username: 'bob', password: 'builder-bob' } })
  seen.push(normalize('JWT login', login))
  const first = login.body.refreshToken as string
  await record('refresh R1', agent.request('POST', '/api/auth/refresh', { json: { refreshToken: first } }))
  await record('M8 reuse R1', agent.request('POST', '/api/auth/refresh', { json: { refreshToken: first } }))
  await record('M26 token endpoint error', agent.request('POST', '/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: first } }))
  await record('metadata', agent.request('GET', '/.well-known/oauth-authorization-server'))
  await record('jwks', agent.request('GET', '/.well-known/jwks.json'))
  return seen
}

describe('M38 runtime parity', () => {
  const node = setupMockServer({ ...testOptions, origin: 'http://api.localhost' })
  let http: Awaited<ReturnType<typeof httpAgent>>

  beforeAll(async () => {
    node.server.listen({ onUnhandledRequest: 'bypass' })
    http = await httpAgent()
  })

  afterAll(async () => {
    node.server.close()
    await http.close()
  })

  it('M38 the same vectors get the same status, headers (but Date) and error codes from msw/node and the HTTP server', async () => {
    const overMsw = await runVectors(new Agent(node.backend, (request) => fetch(request), 'http://api.localhost'))
    const overHttp = await runVectors(http.agent)
    expect(overMsw.length).toBeGreaterThan(25)
    for (const [index, expected] of overMsw.entries()) expect(overHttp[index]).toEqual(expected)
    // Parity of a lenient server would prove nothing: check the vectors were really refused.
    const byStep = Object.fromEntries(overHttp.map((observed) => [observed.step, observed.status]))
    expect(byStep).toMatchObject({
      'M1 alg none': 401,
      'M6 100 KB token': 401,
      'M18 1 MB body': 413,
      'M35 text/plain': 415,
      'M36 GET logout': 405,
      'M36 cross-site login': 403,
      'M15 POST without CSRF header': 403,
      'POST with CSRF header': 201,
      'M8 reuse R1': 401,
    })
  })
})
