import type { Awaitable } from '../awaitable.ts'
import type { Clock } from '../clock.ts'
import { randomToken, safeEqual, sha256 } from '../random.ts'
import { timed, type Timings } from '../timings.ts'

/** RFC 6749 §4.1.2 recommends at most ten minutes; a browser redirect needs seconds (O5). */
export const CODE_TTL_SECONDS = 60

/** What an authorization code stands for: everything the token endpoint must check and sign. */
export interface CodeGrant {
  clientId: string
  redirectUri: string
  /** S256 PKCE challenge (RFC 7636 §4.2). */
  codeChallenge: string
  nonce?: string
  /** The granted scope, space-separated. */
  scope: string
  userId: string
  /** When the user last entered a password, seconds since the epoch (ID token `auth_time`). */
  authTime: number
  /** The provider session the code came from: its tokens end with it (`end_session`). */
  sessionId: string
  /** The session's public reference (ID token `sid`); never the cookie value. */
  sid: string
}

/** The tokens issued from a code: a second redemption revokes them (O4, RFC 6749 §4.1.2). */
export interface CodeRedemption {
  familyId: string
  accessJti: string
  /** Seconds since the epoch. */
  accessExpiresAt: number
}

export interface AuthorizationCode extends CodeGrant {
  /** SHA-256 of the code: the code itself is never stored (M21). */
  hash: string
  expiresAt: number
  spent: boolean
  redemption?: CodeRedemption
}

/** Where codes live (stores implement it). Each step is atomic, so two redemptions race safely. */
export interface CodeRecords {
  insert(code: AuthorizationCode): Awaitable<void>
  /** Marks the code spent and answers it as it was before (spent already, or not); undefined when unknown. */
  spend(hash: string): Awaitable<AuthorizationCode | undefined>
  /**
   * Records the tokens issued from the code. False when the code was presented again in the
   * meantime, which the caller answers by revoking what it just issued.
   */
  redeem(hash: string, redemption: CodeRedemption): Awaitable<boolean>
  count(): Awaitable<number>
}

export interface CodeCheck {
  clientId: string
  redirectUri: string | undefined
  codeVerifier: string | undefined
}

export type Redemption =
  | { ok: true; code: AuthorizationCode }
  /** `replayed`: the code had already been redeemed; these are the tokens to revoke. */
  | { ok: false; description: string; replayed?: CodeRedemption }

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

export class AuthorizationCodes {
  constructor(private readonly options: { clock: Clock; records: CodeRecords }) {}

  async issue(grant: CodeGrant, timings?: Timings): Promise<string> {
    const code = randomToken()
    const record: AuthorizationCode = { ...grant, hash: await sha256(code), expiresAt: this.options.clock.now() + CODE_TTL_SECONDS * 1000, spent: false }
    await timed(timings, 'store', () => this.options.records.insert(record))
    return code
  }

  /**
   * Spends the code first, then checks it: a code that fails any check is gone all the same (O3),
   * so a guessed verifier gets one try.
   */
  async redeem(code: string, check: CodeCheck, timings?: Timings): Promise<Redemption> {
    const hash = await sha256(code)
    const record = await timed(timings, 'store', () => this.options.records.spend(hash))
    if (!record) return { ok: false, description: 'authorization code is not valid' }
    if (record.spent) {
      return { ok: false, description: 'authorization code was already used; the tokens issued from it are revoked', replayed: record.redemption }
    }
    if (this.options.clock.now() >= record.expiresAt) return { ok: false, description: 'authorization code has expired' }
    if (record.clientId !== check.clientId) return { ok: false, description: 'authorization code was issued to another client' }
    if (check.redirectUri !== record.redirectUri) return { ok: false, description: 'redirect_uri differs from the one in the authorization request' }
    if (check.codeVerifier === undefined || !VERIFIER.test(check.codeVerifier)) {
      return { ok: false, description: 'code_verifier is missing or malformed (RFC 7636 §4.1)' }
    }
    if (!safeEqual(await sha256(check.codeVerifier), record.codeChallenge)) return { ok: false, description: 'code_verifier does not match the code_challenge' }
    return { ok: true, code: record }
  }

  /** False when the code was replayed while its tokens were being issued: revoke them. */
  async recordRedemption(code: AuthorizationCode, redemption: CodeRedemption, timings?: Timings): Promise<boolean> {
    return timed(timings, 'store', () => this.options.records.redeem(code.hash, redemption))
  }

  count(): Awaitable<number> {
    return this.options.records.count()
  }
}
