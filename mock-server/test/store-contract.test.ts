import { describe, expect, it } from 'vitest'
import type { BffSession } from '../src/domain/bff/sessions.ts'
import type { AuthorizationCode } from '../src/domain/oidc/codes.ts'
import type { ProviderSession } from '../src/domain/oidc/provider-sessions.ts'
import type { RefreshFamily } from '../src/domain/refresh-families.ts'
import type { Session } from '../src/domain/sessions.ts'
import { createMemoryStore } from '../src/store/memory.ts'
import type { AuthStateStore } from '../src/store/types.ts'
import { useLocalRedis } from './redis.ts'

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0)
const IDLE = 15 * 60_000

const session = (id: string, userId = 'u_alice', at = T0): Session => ({
  id,
  userId,
  csrfToken: `csrf-${id}`,
  createdAt: at,
  lastSeenAt: at,
  absoluteExpiresAt: at + 8 * 3600_000,
})

const family = (id: string, userId = 'u_alice'): RefreshFamily => ({
  id,
  userId,
  transport: 'body',
  csrfToken: `csrf-${id}`,
  createdAt: T0,
  absoluteExpiresAt: T0 + 8 * 3600_000,
  idleExpiresAt: T0 + 3600_000,
  currentHash: `hash-${id}-0`,
  revoked: false,
})

const code = (hash: string): AuthorizationCode => ({
  hash,
  clientId: 'authlens-demo',
  redirectUri: 'http://app.localhost:5173/callback',
  codeChallenge: 'c'.repeat(43),
  nonce: 'n',
  scope: 'openid offline_access',
  userId: 'u_alice',
  authTime: T0 / 1000,
  sessionId: 'op-1',
  sid: 'sid-1',
  expiresAt: T0 + 60_000,
  spent: false,
})

const providerSession = (id: string, userId = 'u_alice'): ProviderSession => ({ id, sid: `sid-${id}`, userId, authTime: T0 / 1000, expiresAt: T0 + 8 * 3600_000 })

const bffSession = (id: string): BffSession => ({
  id,
  csrfToken: `csrf-${id}`,
  user: { sub: 'u_alice', name: 'Alice Liddell', email_verified: true },
  createdAt: T0,
  lastSeenAt: T0,
  absoluteExpiresAt: T0 + 8 * 3600_000,
  tokens: { accessToken: `at-${id}-0`, accessExpiresAt: T0 + 300_000, refreshToken: `rt-${id}-0` },
  version: 0,
})

const redis = useLocalRedis()

/** The embedded store and the Redis store must mean the same thing by every operation. */
describe.each([
  { kind: 'memory', open: async (): Promise<AuthStateStore> => createMemoryStore() },
  { kind: 'redis', open: (): Promise<AuthStateStore> => redis.store() },
])('store contract: $kind', ({ open }) => {
  it('M13 touch slides the idle expiry; past idle or absolute expiry it answers expired and deletes', async () => {
    const store = await open()
    await store.sessions.insert(session('a'))
    expect(await store.sessions.touch('a', T0 + IDLE - 1, IDLE)).toMatchObject({ id: 'a', userId: 'u_alice', csrfToken: 'csrf-a', lastSeenAt: T0 + IDLE - 1 })
    // Slid: a full idle period after the previous touch, not after creation.
    expect(await store.sessions.touch('a', T0 + 2 * IDLE - 2, IDLE)).toMatchObject({ lastSeenAt: T0 + 2 * IDLE - 2 })
    expect(await store.sessions.touch('a', T0 + 3 * IDLE - 2, IDLE)).toBe('expired')
    expect(await store.sessions.touch('a', T0 + 3 * IDLE - 2, IDLE)).toBeUndefined()

    await store.sessions.insert(session('b'))
    expect(await store.sessions.touch('b', T0 + 8 * 3600_000, 8 * 3600_000 + 1)).toBe('expired')
    expect(await store.sessions.touch('unknown', T0, IDLE)).toBeUndefined()
  })

  it('M12 insert replacing an id deletes it; deleteUser removes only that user\'s sessions and counts them', async () => {
    const store = await open()
    await store.sessions.insert(session('old'))
    await store.sessions.insert(session('new'), 'old')
    expect(await store.sessions.touch('old', T0, IDLE)).toBeUndefined()
    await store.sessions.insert(session('second'))
    await store.sessions.insert(session('bobs', 'u_bob'))
    expect(await store.sessions.count()).toBe(3)
    expect(await store.sessions.deleteUser('u_alice')).toBe(2)
    expect(await store.sessions.touch('new', T0, IDLE)).toBeUndefined()
    expect(await store.sessions.touch('bobs', T0, IDLE)).toMatchObject({ userId: 'u_bob' })
    expect(await store.sessions.count()).toBe(1)
  })

  it('M29 advance is a compare-and-set: only from the current digest, never on a revoked family; every digest stays indexed', async () => {
    const store = await open()
    await store.families.insert(family('f1'))
    expect(await store.families.findByHash('hash-f1-0')).toEqual(family('f1'))
    const next = { currentHash: 'hash-f1-1', idleExpiresAt: T0 + 7200_000, lastRotation: { fromHash: 'hash-f1-0', maskedSuccessor: 'masked', until: T0 + 5000 } }
    const [first, second] = await Promise.all([store.families.advance('f1', 'hash-f1-0', next), store.families.advance('f1', 'hash-f1-0', { ...next, currentHash: 'hash-f1-x' })])
    expect([first, second]).toEqual([true, false])
    expect(await store.families.findByHash('hash-f1-x')).toBeUndefined()
    const rotated = await store.families.findByHash('hash-f1-0')
    expect(rotated).toEqual({ ...family('f1'), ...next })
    expect(await store.families.findByHash('hash-f1-1')).toEqual(rotated)
    expect(await store.families.get('f1')).toEqual(rotated)

    await store.families.revoke('f1')
    expect(await store.families.advance('f1', 'hash-f1-1', { ...next, currentHash: 'hash-f1-2' })).toBe(false)
    expect(await store.families.get('f1')).toMatchObject({ revoked: true, currentHash: 'hash-f1-1' })
    await store.families.revoke('missing')
    expect(await store.families.get('missing')).toBeUndefined()
  })

  it('M30 revokeUser revokes that user\'s live families only and counts them', async () => {
    const store = await open()
    await store.families.insert(family('a1'))
    await store.families.insert(family('a2'))
    await store.families.insert(family('b1', 'u_bob'))
    await store.families.revoke('a2')
    expect(await store.families.revokeUser('u_alice')).toBe(1)
    expect((await store.families.all()).map(({ id, revoked }) => [id, revoked]).sort()).toEqual([
      ['a1', true],
      ['a2', true],
      ['b1', false],
    ])
  })

  it('M31 revocations hold until the token expires', async () => {
    const store = await open()
    const exp = T0 / 1000
    await store.revocations.add('["iss","jti"]', exp)
    expect(await store.revocations.has('["iss","jti"]', exp)).toBe(true)
    expect(await store.revocations.has('["iss","jti"]', exp + 1)).toBe(false)
    expect(await store.revocations.has('["iss","other"]', exp - 1)).toBe(false)
  })

  it('an OpenID client\'s family keeps its client and scope', async () => {
    const store = await open()
    const client = { clientId: 'authlens-demo', scope: 'openid offline_access' }
    await store.families.insert({ ...family('oidc'), client })
    expect(await store.families.get('oidc')).toEqual({ ...family('oidc'), client })
  })

  it('O3 O4 spend answers a code as it was and marks it spent; a redemption recorded after a replay answers false', async () => {
    const store = await open()
    await store.codes.insert(code('h1'))
    expect(await store.codes.spend('h1')).toEqual(code('h1'))
    const redemption = { familyId: 'f1', accessJti: 'j1', accessExpiresAt: T0 / 1000 + 300 }
    expect(await store.codes.redeem('h1', redemption)).toBe(true)
    expect(await store.codes.spend('h1')).toEqual({ ...code('h1'), spent: true, redemption })
    expect(await store.codes.spend('unknown')).toBeUndefined()

    await store.codes.insert(code('h2'))
    const [first, second] = await Promise.all([store.codes.spend('h2'), store.codes.spend('h2')])
    expect([first?.spent, second?.spent]).toEqual([false, true])
    expect(await store.codes.redeem('h2', redemption)).toBe(false)
    expect(await store.codes.count()).toBe(2)
  })

  it('D8 a family bound to a DPoP key keeps its thumbprint', async () => {
    const store = await open()
    await store.families.insert({ ...family('bound'), jkt: 'thumbprint' })
    expect(await store.families.findByHash('hash-bound-0')).toEqual({ ...family('bound'), jkt: 'thumbprint' })
  })

  it('D5 a proof is claimed once until its expiry, on the backend\'s clock; claims of one key race to a single winner', async () => {
    const store = await open()
    const until = T0 + 66_000
    expect(await store.dpopProofs.claim('jkt:j1', until, T0)).toBe(true)
    expect(await store.dpopProofs.claim('jkt:j1', until, T0 + 65_999)).toBe(false)
    expect(await store.dpopProofs.claim('other:j1', until, T0)).toBe(true)
    // Past its expiry the entry holds nothing: the proof's age refuses it by then.
    expect(await store.dpopProofs.claim('jkt:j1', until + 66_000, until)).toBe(true)
    expect(await store.dpopProofs.claim('jkt:j1', until + 66_000, until + 1)).toBe(false)
    const race = await Promise.all(Array.from({ length: 8 }, () => store.dpopProofs.claim('jkt:j2', until, T0)))
    expect(race.filter(Boolean)).toHaveLength(1)
  })

  it('provider sessions: found by id, families bound to them answered on delete; a replacing sign-in takes the families over', async () => {
    const store = await open()
    await store.providerSessions.insert(providerSession('p1'))
    expect(await store.providerSessions.get('p1')).toEqual(providerSession('p1'))
    await store.providerSessions.bindFamily('p1', 'f1')
    await store.providerSessions.bindFamily('p1', 'f2')
    await store.providerSessions.bindFamily('missing', 'f3')
    await store.providerSessions.insert(providerSession('p2'), 'p1')
    expect(await store.providerSessions.get('p1')).toBeUndefined()
    expect((await store.providerSessions.delete('p2')).sort()).toEqual(['f1', 'f2'])
    expect(await store.providerSessions.get('p2')).toBeUndefined()
    expect(await store.providerSessions.delete('p2')).toEqual([])
    expect(await store.providerSessions.get('missing')).toBeUndefined()
  })

  it('M30 provider sessions: deleteUser removes only that user\'s and counts them', async () => {
    const store = await open()
    await store.providerSessions.insert(providerSession('a1'))
    await store.providerSessions.insert(providerSession('a2'))
    await store.providerSessions.insert(providerSession('b1', 'u_bob'))
    expect(await store.providerSessions.count()).toBe(3)
    expect(await store.providerSessions.deleteUser('u_alice')).toBe(2)
    expect(await store.providerSessions.get('a1')).toBeUndefined()
    expect(await store.providerSessions.get('b1')).toEqual(providerSession('b1', 'u_bob'))
    expect(await store.providerSessions.count()).toBe(1)
  })

  it('B4 BFF sessions: touch slides; one refresh claim per version at a time, completed by its owner only, released on failure, free again once it runs out', async () => {
    const store = await open()
    const records = store.bffSessions
    await records.insert(bffSession('b'))
    expect(await records.touch('b', T0 + 1000, IDLE)).toEqual({ ...bffSession('b'), lastSeenAt: T0 + 1000 })
    const claims = await Promise.all(['o1', 'o2', 'o3'].map((owner) => records.claimRefresh('b', 0, owner, T0 + 15_000, T0 + 1000)))
    const owner = ['o1', 'o2', 'o3'][claims.indexOf('claimed')] ?? 'none'
    expect([...claims].sort()).toEqual(['busy', 'busy', 'claimed'])
    const tokens = { accessToken: 'at-b-1', accessExpiresAt: T0 + 600_000, refreshToken: 'rt-b-1' }
    expect(await records.completeRefresh('b', 0, 'not-the-owner', tokens)).toBe(false)
    expect(await records.completeRefresh('b', 0, owner, tokens)).toBe(true)
    expect(await records.completeRefresh('b', 0, owner, tokens)).toBe(false)
    expect(await records.get('b')).toMatchObject({ tokens, version: 1, lastSeenAt: T0 + 1000 })
    expect(await records.claimRefresh('b', 0, 'late', T0 + 15_000, T0 + 2000)).toBe('moved')

    expect(await records.claimRefresh('b', 1, 'o1', T0 + 15_000, T0 + 2000)).toBe('claimed')
    await records.releaseRefresh('b', 'someone-else')
    expect(await records.claimRefresh('b', 1, 'o2', T0 + 15_000, T0 + 2000)).toBe('busy')
    await records.releaseRefresh('b', 'o1')
    expect(await records.claimRefresh('b', 1, 'o2', T0 + 15_000, T0 + 2000)).toBe('claimed')
    // A claim whose holder died runs out: the next caller takes it over.
    expect(await records.claimRefresh('b', 1, 'o3', T0 + 30_000, T0 + 15_000)).toBe('claimed')
    expect(await records.completeRefresh('b', 1, 'o2', tokens)).toBe(false)
    expect(await records.claimRefresh('missing', 0, 'o1', T0 + 15_000, T0)).toBe('gone')
  })

  it('BFF sessions: replaced at sign-in (M12), expired past idle or absolute timeout (M13), deleted answering what they held', async () => {
    const store = await open()
    const records = store.bffSessions
    await records.insert(bffSession('old'))
    await records.insert(bffSession('new'), 'old')
    expect(await records.get('old')).toBeUndefined()
    expect(await records.count()).toBe(1)
    expect(await records.touch('new', T0 + IDLE, IDLE)).toBe('expired')
    expect(await records.touch('new', T0, IDLE)).toBeUndefined()
    await records.insert(bffSession('gone'))
    expect(await records.delete('gone')).toEqual(bffSession('gone'))
    expect(await records.delete('gone')).toBeUndefined()
    expect(await records.count()).toBe(0)
  })

  it('BFF sign-ins under way are taken once', async () => {
    const store = await open()
    const login = { state: 's1', nonce: 'n1', codeVerifier: 'v'.repeat(43), returnTo: '/notes', expiresAt: T0 + 600_000 }
    await store.bffLogins.insert(login)
    const [first, second] = await Promise.all([store.bffLogins.take('s1'), store.bffLogins.take('s1')])
    expect([first, second].filter(Boolean)).toEqual([login])
    expect(await store.bffLogins.take('unknown')).toBeUndefined()
  })

  it('clear forgets every session, family, revocation, code, provider session and seen proof', async () => {
    const store = await open()
    await store.sessions.insert(session('s'))
    await store.families.insert(family('f'))
    await store.revocations.add('k', T0 / 1000)
    await store.codes.insert(code('c'))
    await store.providerSessions.insert(providerSession('p'))
    await store.dpopProofs.claim('jkt:j', T0 + 60_000, T0)
    await store.bffSessions.insert(bffSession('b'))
    await store.clear()
    expect(await store.sessions.count()).toBe(0)
    expect(await store.families.all()).toEqual([])
    expect(await store.revocations.count()).toBe(0)
    expect(await store.codes.count()).toBe(0)
    expect(await store.providerSessions.count()).toBe(0)
    expect(await store.dpopProofs.claim('jkt:j', T0 + 60_000, T0)).toBe(true)
    expect(await store.bffSessions.count()).toBe(0)
  })
})
