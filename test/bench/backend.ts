import { getResponse } from 'msw'
import { createMockBackend } from '../../mock-server/src/index.ts'
import { AccessTokens } from '../../mock-server/src/domain/access-tokens.ts'
import { createClock } from '../../mock-server/src/domain/clock.ts'
import { SessionStore } from '../../mock-server/src/domain/sessions.ts'
import { createSigningKey, type SigningAlgorithm } from '../../mock-server/src/domain/signing-keys.ts'
import { MemorySessionRecords } from '../../mock-server/src/store/memory.ts'
import { compare, formatRate, table, type Budget } from './measure.ts'

const user = { id: 'u_alice', username: 'alice', name: 'Alice Liddell', role: 'user' as const }

async function tokenVerifier(alg: SigningAlgorithm) {
  const clock = createClock()
  const key = await createSigningKey(alg)
  const tokens = new AccessTokens({
    issuer: 'https://auth.authlens.test',
    audience: 'authlens-api',
    ttlSeconds: 300,
    clockToleranceSeconds: 5,
    clock,
    key: async () => key,
    onVerify: () => undefined,
  })
  const { token } = await tokens.issue(user, 'family')
  return { token, verify: () => tokens.verify(token) }
}

/** What the server does per request to know the user: verify a JWT, or look a session up. */
async function credentialChecks() {
  const hs256 = await tokenVerifier('HS256')
  const es256 = await tokenVerifier('ES256')
  const sessions = new SessionStore({ clock: createClock(), idleTimeoutSeconds: 900, absoluteTimeoutSeconds: 28_800, onLookup: () => undefined, records: new MemorySessionRecords() })
  for (let i = 0; i < 10_000; i++) await sessions.create(`u_${i}`)
  const { id } = await sessions.create(user.id)
  const results = await compare([
    { name: 'HS256 verify', run: hs256.verify },
    { name: 'ES256 verify', run: es256.verify },
    { name: 'session lookup (10k sessions)', run: () => sessions.touch(id) },
  ])
  return results
}

/** The same checks behind the whole MSW handler path of GET /api/me. */
async function protectedRequests() {
  const options = { passwordHashIterations: 1_000 }
  const backends = {
    HS256: createMockBackend({ ...options, algorithm: 'HS256' }),
    ES256: createMockBackend({ ...options, algorithm: 'ES256' }),
  }
  const login = async (backend: ReturnType<typeof createMockBackend>, path: string) =>
    getResponse(
      backend.handlers,
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost' },
        body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
      }),
    )
  const hsToken = ((await (await login(backends.HS256, '/api/auth/login'))!.json()) as { accessToken: string }).accessToken
  const esToken = ((await (await login(backends.ES256, '/api/auth/login'))!.json()) as { accessToken: string }).accessToken
  const sessionResponse = (await login(backends.ES256, '/api/session/login'))!
  const cookie = sessionResponse.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')

  const me = (backend: ReturnType<typeof createMockBackend>, headers: Record<string, string>) => async () => {
    const response = await getResponse(backend.handlers, new Request('http://localhost/api/me', { headers }))
    if (response?.status !== 200) throw new Error(`GET /api/me answered ${response?.status}`)
  }
  const results = await compare([
    { name: 'GET /api/me, HS256 bearer', run: me(backends.HS256, { authorization: `Bearer ${hsToken}` }) },
    { name: 'GET /api/me, ES256 bearer', run: me(backends.ES256, { authorization: `Bearer ${esToken}` }) },
    { name: 'GET /api/me, session cookie', run: me(backends.ES256, { cookie }) },
  ])
  const wire = {
    jwt: `Authorization: Bearer ${esToken}\r\n`.length,
    hs256: `Authorization: Bearer ${hsToken}\r\n`.length,
    session: `Cookie: ${cookie}\r\n`.length,
    setCookie: sessionResponse.headers.getSetCookie().reduce((sum, line) => sum + `Set-Cookie: ${line}\r\n`.length, 0),
  }
  return { results, wire }
}

export async function backendBench(): Promise<{ report: string; budgets: Budget[] }> {
  const checks = await credentialChecks()
  const { results: requests, wire } = await protectedRequests()
  const slowest = (list: typeof checks) => Math.min(...list.map((entry) => entry.opsPerSecond))
  const rows = (list: typeof checks) =>
    list.map((entry) => [entry.name, formatRate(entry.opsPerSecond), `${(entry.opsPerSecond / slowest(list)).toFixed(2)}×`])
  const byName = Object.fromEntries([...checks, ...requests].map((entry) => [entry.name, entry.opsPerSecond]))

  const report = [
    '## Mock backend: knowing who is calling',
    '',
    table(['credential check', 'ops/s', 'vs slowest'], rows(checks)),
    '',
    table(['whole request (MSW handlers, in process)', 'req/s', 'vs slowest'], rows(requests)),
    '',
    table(
      ['credential on the wire, per request', 'bytes', 'vs session'],
      [
        ['JWT ES256 (Authorization header)', wire.jwt, `${(wire.jwt / wire.session).toFixed(2)}×`],
        ['JWT HS256 (Authorization header)', wire.hs256, `${(wire.hs256 / wire.session).toFixed(2)}×`],
        ['session id + CSRF cookie (Cookie header)', wire.session, '1.00×'],
        ['session login Set-Cookie (once)', wire.setCookie, '—'],
      ],
    ),
  ].join('\n')

  const budgets: Budget[] = [
    { description: 'a session lookup is at least 10× cheaper than an ES256 verification', ok: byName['session lookup (10k sessions)']! >= 10 * byName['ES256 verify']! },
    { description: 'HS256 verification is faster than ES256 verification', ok: byName['HS256 verify']! > byName['ES256 verify']! },
    { description: 'a JWT costs more bytes per request than a session cookie', ok: wire.jwt > wire.session },
    { description: 'a session-cookie request is served faster than an ES256 bearer request', ok: byName['GET /api/me, session cookie']! > byName['GET /api/me, ES256 bearer']! },
  ]
  return { report, budgets }
}
