import type { Awaitable } from '../awaitable.ts'
import type { Clock } from '../clock.ts'
import { randomToken, sha256 } from '../random.ts'
import { timed, type Timings } from '../timings.ts'

/** How long a browser may stay at the provider's login page before the sign-in must start again. */
export const LOGIN_TTL_SECONDS = 600

/** A sign-in under way: its secrets stay on the server, the browser carries only `state`. */
export interface PendingLogin {
  state: string
  nonce: string
  /** RFC 7636 code verifier: 256 random bits, base64url (43 characters). */
  codeVerifier: string
  /** A path on this site (checked before it is stored). */
  returnTo: string
  expiresAt: number
}

/** Where pending sign-ins live (stores implement it). */
export interface BffLoginRecords {
  insert(login: PendingLogin): Awaitable<void>
  /** Answers the sign-in with this `state` and deletes it in the same step: a `state` works once. */
  take(state: string): Awaitable<PendingLogin | undefined>
}

export class BffLogins {
  constructor(private readonly options: { clock: Clock; records: BffLoginRecords }) {}

  async start(returnTo: string, timings?: Timings): Promise<PendingLogin & { codeChallenge: string }> {
    const login: PendingLogin = {
      state: randomToken(),
      nonce: randomToken(),
      codeVerifier: randomToken(),
      returnTo,
      expiresAt: this.options.clock.now() + LOGIN_TTL_SECONDS * 1000,
    }
    await timed(timings, 'store', () => this.options.records.insert(login))
    return { ...login, codeChallenge: await sha256(login.codeVerifier) }
  }

  /** The pending sign-in, spent; undefined when unknown, spent already or expired. */
  async take(state: string, timings?: Timings): Promise<PendingLogin | undefined> {
    const login = await timed(timings, 'store', () => this.options.records.take(state))
    return login && this.options.clock.now() < login.expiresAt ? login : undefined
  }
}
