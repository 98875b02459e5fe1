import { describe, expect, it } from 'vitest'
import { createClock } from './clock.ts'
import { BackendError } from './errors.ts'
import { base64url, sha256 } from './random.ts'
import { MemoryRefreshFamilyRecords } from '../store/memory.ts'
import { RefreshFamilies, type RefreshFamilyOptions } from './refresh-families.ts'

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0)

function setup(overrides: Partial<Omit<RefreshFamilyOptions, 'clock' | 'records'>> = {}) {
  let now = T0
  const clock = createClock(() => now)
  const families = new RefreshFamilies({ clock, absoluteTtlSeconds: 8 * 3600, idleTtlSeconds: 3600, reuseGraceSeconds: 0, records: new MemoryRefreshFamilyRecords(), ...overrides })
  return {
    families,
    advance(seconds: number) {
      now += seconds * 1000
    },
  }
}

async function rejection(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(BackendError)
  return error as BackendError
}

/**
 * Every string reachable from a value (keys of objects and maps, set members, typed arrays as
 * base64url), cycles followed once: what a heap dump or a serialised store of it would contain.
 */
function reachableStrings(root: unknown): string[] {
  const strings: string[] = []
  const seen = new Set<unknown>()
  const visit = (value: unknown): void => {
    if (typeof value === 'string') return void strings.push(value)
    if (typeof value !== 'object' || value === null || seen.has(value)) return
    seen.add(value)
    if (value instanceof Uint8Array) return void strings.push(base64url(value))
    if (value instanceof Map) {
      for (const [key, entry] of value) {
        visit(key)
        visit(entry)
      }
      return
    }
    if (value instanceof Set) {
      for (const entry of value) visit(entry)
      return
    }
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'string') strings.push(key)
      visit((value as Record<PropertyKey, unknown>)[key])
    }
  }
  visit(root)
  return strings
}

function decodeBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

describe('RefreshFamilies', () => {
  it('M21 refresh tokens are 256-bit base64url values, distinct across 1000 issues, with balanced bits', async () => {
    const { families } = setup()
    const tokens = new Set<string>()
    let ones = 0
    for (let i = 0; i < 1000; i++) {
      const { refreshToken } = await families.start(`u_${i % 3}`, 'body')
      expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const bytes = decodeBase64url(refreshToken)
      expect(bytes.length).toBe(32)
      for (const byte of bytes) for (let bit = 0; bit < 8; bit++) ones += (byte >> bit) & 1
      tokens.add(refreshToken)
    }
    expect(tokens.size).toBe(1000)
    // 256,000 fair bits: mean 128,000, sd ≈ 253. A counter, a timestamp or a short seed is far off.
    expect(Math.abs(ones - 128_000)).toBeLessThan(2_000)
  })

  it('M21 rotated tokens are also fresh 256-bit values, never derived visibly from the previous one', async () => {
    const { families } = setup()
    let { refreshToken } = await families.start('u_alice', 'body')
    const seen = new Set([refreshToken])
    for (let i = 0; i < 50; i++) {
      ;({ refreshToken } = await families.rotate(refreshToken))
      expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
      seen.add(refreshToken)
    }
    expect(seen.size).toBe(51)
  })

  it('M21 no issued refresh token (current or rotated) is reachable in the store, only its SHA-256 digest (strict mode)', async () => {
    const { families } = setup()
    const issued: string[] = []
    const first = await families.start('u_alice', 'body')
    issued.push(first.refreshToken)
    let current = first.refreshToken
    for (let i = 0; i < 3; i++) {
      current = (await families.rotate(current)).refreshToken
      issued.push(current)
    }
    issued.push((await families.start('u_bob', 'cookie')).refreshToken)

    const dump = reachableStrings(families).join('\n')
    for (const token of issued) expect(dump).not.toContain(token)
    // The digest is what is kept, so the dump proves we looked in the right place.
    expect(dump).toContain(await sha256(current))
  })

  it('M21 the grace window (M29) keeps no refresh token in clear either', async () => {
    const { families, advance } = setup({ reuseGraceSeconds: 10 })
    const { refreshToken: r1 } = await families.start('u_alice', 'body')
    const { refreshToken: r2 } = await families.rotate(r1)
    expect(reachableStrings(families).join('\n')).not.toContain(r2)
    expect(reachableStrings(families).join('\n')).not.toContain(r1)

    // The replay still hands back the very same successor, and it still rotates.
    advance(5)
    const replay = await families.rotate(r1)
    expect(replay.replayed).toBe(true)
    expect(replay.refreshToken).toBe(r2)
    const { refreshToken: r3 } = await families.rotate(r2)
    expect(reachableStrings(families).join('\n')).not.toContain(r3)
  })

  it('M8 second use of a rotated token is refresh_token_reused and revokes the family, newest token included', async () => {
    const { families } = setup()
    const { family, refreshToken: r1 } = await families.start('u_alice', 'body')
    const { refreshToken: r2 } = await families.rotate(r1)
    expect(r2).not.toBe(r1)

    const reused = await rejection(families.rotate(r1))
    expect(reused.code).toBe('refresh_token_reused')
    expect(reused.status).toBe(401)
    expect(await families.get(family.id)).toBeUndefined()

    const after = await rejection(families.rotate(r2))
    expect(after.code).toBe('invalid_grant')
    expect(await families.liveFamilies('u_alice')).toEqual([])
  })

  it('M8 reuse in one family leaves the same user\'s other families alone', async () => {
    const { families } = setup()
    const a = await families.start('u_alice', 'body')
    const b = await families.start('u_alice', 'body')
    await families.rotate(a.refreshToken)
    expect((await rejection(families.rotate(a.refreshToken))).code).toBe('refresh_token_reused')
    const rotated = await families.rotate(b.refreshToken)
    expect(rotated.family.id).toBe(b.family.id)
    expect((await families.liveFamilies('u_alice')).map((family) => family.id)).toEqual([b.family.id])
  })

  it('M9 an unknown token is invalid_grant and changes nothing', async () => {
    const { families } = setup()
    const { refreshToken } = await families.start('u_alice', 'body')
    const tampered = (refreshToken[0] === 'A' ? 'B' : 'A') + refreshToken.slice(1)
    expect((await rejection(families.rotate(tampered))).code).toBe('invalid_grant')
    expect((await rejection(families.rotate(''))).code).toBe('invalid_grant')
    expect(await families.find(tampered)).toBeUndefined()
    // No denial of service by guessing: the real token still rotates.
    await expect(families.rotate(refreshToken)).resolves.toMatchObject({ replayed: false })
  })

  it('M28 rotation never moves the absolute expiry; past it even the newest token is invalid_grant', async () => {
    const { families, advance } = setup({ absoluteTtlSeconds: 3600, idleTtlSeconds: 1800 })
    const { family, refreshToken } = await families.start('u_alice', 'body')
    expect(family.absoluteExpiresAt).toBe(T0 + 3600_000)
    let current = refreshToken
    for (let i = 0; i < 5; i++) {
      advance(600)
      const rotation = await families.rotate(current)
      expect(rotation.family.absoluteExpiresAt).toBe(T0 + 3600_000)
      // Idle expiry slides with use, but never beyond the absolute one.
      expect(rotation.family.idleExpiresAt).toBe(Math.min(T0 + (i + 1) * 600_000 + 1800_000, T0 + 3600_000))
      current = rotation.refreshToken
    }
    advance(600) // T0 + 3600 s: the absolute lifetime is over although the token is 10 min old.
    const expired = await rejection(families.rotate(current))
    expect(expired.code).toBe('invalid_grant')
    expect(expired.description).toMatch(/expired/)
    expect(await families.liveFamilies()).toEqual([])
  })

  it('M28 a token unused for the idle lifetime is invalid_grant; one second earlier it rotates', async () => {
    const { families, advance } = setup({ absoluteTtlSeconds: 8 * 3600, idleTtlSeconds: 600 })
    const a = await families.start('u_alice', 'body')
    const b = await families.start('u_alice', 'body')
    advance(599)
    await expect(families.rotate(a.refreshToken)).resolves.toMatchObject({ replayed: false })
    advance(1)
    const idle = await rejection(families.rotate(b.refreshToken))
    expect(idle.code).toBe('invalid_grant')
    expect(idle.description).toMatch(/unused/)
    // An idle-expired family can never be used again, so it is not counted as live.
    expect((await families.liveFamilies('u_alice')).map((family) => family.id)).toEqual([a.family.id])
  })

  it('M29 strict: two concurrent rotations of one token never both succeed, and never leave two live chains', async () => {
    const { families } = setup()
    const { family, refreshToken } = await families.start('u_alice', 'body')
    const results = await Promise.allSettled([families.rotate(refreshToken), families.rotate(refreshToken)])
    const fulfilled = results.filter((result) => result.status === 'fulfilled')
    const rejected = results.filter((result) => result.status === 'rejected')
    expect(fulfilled).toHaveLength(1)
    expect(rejected).toHaveLength(1)
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'refresh_token_reused' })
    // The loser looked like a replay, so strict mode revoked the one family there was.
    expect(await families.get(family.id)).toBeUndefined()
    expect(await families.liveFamilies()).toHaveLength(0)
  })

  it('M29 grace: concurrent rotations of one token all get the same successor and the family stays live', async () => {
    const { families } = setup({ reuseGraceSeconds: 10 })
    const { family, refreshToken } = await families.start('u_alice', 'body')
    const rotations = await Promise.all([1, 2, 3, 4].map(() => families.rotate(refreshToken)))
    const successors = new Set(rotations.map((rotation) => rotation.refreshToken))
    expect(successors.size).toBe(1)
    expect(rotations.filter((rotation) => !rotation.replayed)).toHaveLength(1)
    expect((await families.liveFamilies()).map((live) => live.id)).toEqual([family.id])
  })

  it('M29 grace: a replay after the window, or of a token two rotations back, is reuse', async () => {
    const { families, advance } = setup({ reuseGraceSeconds: 10 })
    const first = await families.start('u_alice', 'body')
    const { refreshToken: r2 } = await families.rotate(first.refreshToken)
    advance(10)
    expect((await rejection(families.rotate(first.refreshToken))).code).toBe('refresh_token_reused')
    expect((await rejection(families.rotate(r2))).code).toBe('invalid_grant')

    const second = await families.start('u_alice', 'body')
    const { refreshToken: s2 } = await families.rotate(second.refreshToken)
    await families.rotate(s2)
    // Only the latest rotation is replayable: the grace window is not a way to keep old tokens alive.
    expect((await rejection(families.rotate(second.refreshToken))).code).toBe('refresh_token_reused')
    expect(await families.liveFamilies()).toEqual([])
  })

  it('M30 revokeUser revokes every family of that user and no other', async () => {
    const { families } = setup()
    const alice = [await families.start('u_alice', 'body'), await families.start('u_alice', 'cookie')]
    const bob = await families.start('u_bob', 'body')
    expect(await families.revokeUser('u_alice')).toBe(2)
    for (const { refreshToken } of alice) expect((await rejection(families.rotate(refreshToken))).code).toBe('invalid_grant')
    expect((await families.liveFamilies()).map((family) => family.id)).toEqual([bob.family.id])
  })
})
