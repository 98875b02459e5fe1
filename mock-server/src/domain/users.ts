import { BackendError } from './errors.ts'
import { base64url, safeEqual } from './random.ts'
import type { Clock } from './clock.ts'
import { timed, type Timings } from './timings.ts'

export type Role = 'user' | 'admin'

export interface SeedUser {
  username: string
  password: string
  name: string
  role?: Role
  /** Given to OpenID clients granted the `email` scope. */
  email?: string
}

export interface User {
  id: string
  username: string
  name: string
  role: Role
}

interface StoredUser extends User {
  email: string | undefined
  salt: Uint8Array
  passwordHash: string
}

export const demoUsers: SeedUser[] = [
  { username: 'alice', password: 'wonderland', name: 'Alice Liddell', role: 'user', email: 'alice@authlens.test' },
  { username: 'bob', password: 'builder-bob', name: 'Bob Builder', role: 'user', email: 'bob@authlens.test' },
  { username: 'carol', password: 'carol-admin', name: 'Carol Admin', role: 'admin', email: 'carol@authlens.test' },
]

const encoder = new TextEncoder()

/** PBKDF2 through Web Crypto, so the same code hashes in Node and in the browser worker. */
async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    key,
    256,
  )
  return base64url(new Uint8Array(bits))
}

export interface UserDirectoryOptions {
  iterations: number
  throttle: { maxFailures: number; windowSeconds: number }
  clock: Clock
}

/**
 * Users with hashed passwords. Unknown users and wrong passwords take the same path (a hash is
 * always computed) and fail with the same error, so neither the answer nor its timing tells
 * whether an account exists (M17).
 */
export class UserDirectory {
  private readonly byUsername = new Map<string, StoredUser>()
  private readonly failures = new Map<string, { count: number; windowStart: number }>()
  private decoy: { salt: Uint8Array; passwordHash: string } | undefined

  constructor(private readonly options: UserDirectoryOptions) {}

  async seed(users: SeedUser[]): Promise<void> {
    for (const user of users) await this.add(user)
    const salt = crypto.getRandomValues(new Uint8Array(16))
    this.decoy = { salt, passwordHash: await pbkdf2(crypto.randomUUID(), salt, this.options.iterations) }
  }

  async add(seed: SeedUser): Promise<User> {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const stored: StoredUser = {
      id: `u_${seed.username}`,
      username: seed.username,
      name: seed.name,
      role: seed.role ?? 'user',
      email: seed.email,
      salt,
      passwordHash: await pbkdf2(seed.password, salt, this.options.iterations),
    }
    this.byUsername.set(normalize(seed.username), stored)
    return publicUser(stored)
  }

  findById(id: string): User | undefined {
    const stored = this.storedById(id)
    return stored && publicUser(stored)
  }

  emailOf(id: string): string | undefined {
    return this.storedById(id)?.email
  }

  async authenticate(username: string, password: string, timings?: Timings): Promise<User> {
    const key = normalize(username)
    this.assertNotThrottled(key)
    const stored = this.byUsername.get(key)
    const target = stored ?? this.decoy
    if (!target) throw new BackendError('temporarily_unavailable', 'the user directory is not ready')
    // Counted as a failure before the hash is awaited: otherwise parallel guesses would all pass
    // the throttle check above before any of them is recorded. A success clears it below.
    this.recordFailure(key)
    const hash = await timed(timings, 'password', () => pbkdf2(password, target.salt, this.options.iterations))
    if (!stored || !safeEqual(hash, stored.passwordHash)) {
      throw new BackendError('invalid_credentials', 'invalid username or password')
    }
    this.failures.delete(key)
    return publicUser(stored)
  }

  async changePassword(userId: string, currentPassword: string, newPassword: string): Promise<void> {
    const stored = this.storedById(userId)
    if (!stored) throw new BackendError('invalid_token', 'unknown user')
    await this.authenticate(stored.username, currentPassword)
    stored.salt = crypto.getRandomValues(new Uint8Array(16))
    stored.passwordHash = await pbkdf2(newPassword, stored.salt, this.options.iterations)
  }

  resetThrottle(): void {
    this.failures.clear()
  }

  private storedById(id: string): StoredUser | undefined {
    for (const user of this.byUsername.values()) if (user.id === id) return user
    return undefined
  }

  private assertNotThrottled(key: string): void {
    const entry = this.failures.get(key)
    if (!entry) return
    const { maxFailures, windowSeconds } = this.options.throttle
    const elapsed = (this.options.clock.now() - entry.windowStart) / 1000
    if (elapsed >= windowSeconds) {
      this.failures.delete(key)
      return
    }
    if (entry.count >= maxFailures) {
      const retryAfter = Math.max(1, Math.ceil(windowSeconds - elapsed))
      throw new BackendError('too_many_attempts', 'too many failed sign-in attempts; try again later', {
        headers: { 'Retry-After': String(retryAfter) },
      })
    }
  }

  private recordFailure(key: string): void {
    const entry = this.failures.get(key)
    if (entry) entry.count++
    else this.failures.set(key, { count: 1, windowStart: this.options.clock.now() })
  }
}

function normalize(username: string): string {
  return username.trim().toLowerCase()
}

function publicUser({ id, username, name, role }: StoredUser): User {
  return { id, username, name, role }
}
