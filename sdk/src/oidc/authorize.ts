import { AuthError } from '../errors.ts'
import { challengeOf, randomToken } from './pkce.ts'

/** What `auth.login(options)` takes with `oidc(...)`. A type, so that it is the client's `Credentials`. */
export type OidcLoginOptions = {
  /** Carried through the round trip (e.g. the path to return to); `handleRedirectCallback` resolves with it. JSON-serializable. */
  appState?: unknown
  /** `none` (silent: fails with `login_required` when there is no provider session), `login`, `consent`, `select_account`. */
  prompt?: string
  /** `login_hint`: the account to suggest. */
  loginHint?: string
  /** `max_age`, seconds: how old the provider's authentication may be. */
  maxAge?: number
  /** Any other authorization parameters, sent as they are (e.g. `ui_locales`, `acr_values`, `resource`). */
  params?: Record<string, string>
}

/** What one sign-in keeps in this tab until its callback: the secrets it must not share. */
export interface LoginRecord {
  verifier: string
  nonce: string
  appState?: unknown
}

/**
 * sessionStorage is per tab, and the key is derived from the state: two tabs signing in at once
 * never read each other's verifier, and a callback finds only the record of the login that sent
 * it (O16).
 */
const recordKey = (state: string) => `authlens:oidc:${state}`

export interface AuthorizationRequest {
  authorizationEndpoint: string
  clientId: string
  redirectUri: string
  scope: string
  params?: Record<string, string>
}

/**
 * Builds the authorization request (OIDC Core §3.1.2.1): code flow, PKCE S256, a fresh `state`
 * and `nonce` for every login (O20), and keeps this login's record under the state.
 */
export async function authorizationUrl(request: AuthorizationRequest, options: OidcLoginOptions = {}): Promise<string> {
  const state = randomToken()
  const nonce = randomToken()
  const verifier = randomToken()
  const url = new URL(request.authorizationEndpoint)
  const params: Record<string, unknown> = {
    ...request.params,
    ...options.params,
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state,
    nonce,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    prompt: options.prompt,
    login_hint: options.loginHint,
    max_age: options.maxAge,
  }
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, String(value))
  try {
    sessionStorage.setItem(recordKey(state), JSON.stringify({ verifier, nonce, appState: options.appState } satisfies LoginRecord))
  } catch (error) {
    throw new AuthError('storage_unavailable', `this sign-in cannot be kept for its callback: ${(error as Error).message}`)
  }
  return url.href
}

/**
 * The record of the login that sent `state`, removed as it is read: a callback that comes twice
 * (a reload, a replay) finds nothing the second time, so no code is redeemed twice (O11, O16).
 */
export function takeLoginRecord(state: string | null): LoginRecord {
  let raw: string | null = null
  try {
    raw = state && sessionStorage.getItem(recordKey(state))
    if (raw) sessionStorage.removeItem(recordKey(state!))
  } catch {
    // Unreadable storage holds no record of ours.
  }
  let record: Partial<LoginRecord> | undefined
  try {
    record = raw ? (JSON.parse(raw) as Partial<LoginRecord>) : undefined
  } catch {
    // Judged below.
  }
  if (typeof record?.verifier !== 'string' || typeof record.nonce !== 'string') {
    throw new AuthError('invalid_state', state ? 'no sign-in of this tab sent this state (unknown, or already used)' : 'the callback carries no state')
  }
  return record as LoginRecord
}
