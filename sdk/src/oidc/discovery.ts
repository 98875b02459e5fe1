import { AuthError } from '../errors.ts'
import type { LoginContext } from '../login/types.ts'

/** The provider metadata the sign-in uses (OpenID Connect Discovery 1.0 §3). */
export interface ProviderMetadata {
  issuer: string
  authorization_endpoint: string
  token_endpoint: string
  revocation_endpoint?: string
  end_session_endpoint?: string
  authorization_response_iss_parameter_supported?: boolean
}

const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'revocation_endpoint', 'end_session_endpoint'] as const

/**
 * Reads and checks `${issuer}/.well-known/openid-configuration`. Its `issuer` must be the
 * configured one exactly (Discovery §4.3): otherwise another provider's endpoints could receive
 * this client's codes (mix-up, RFC 9700 §4.4). Endpoints must be absolute URLs; the two required
 * ones must be there. A network failure keeps its code; anything else is `invalid_discovery`.
 */
export async function discover(send: LoginContext['send'], issuer: string): Promise<ProviderMetadata> {
  // Discovery §4.1: a terminating slash of the issuer is removed before the well-known path.
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  const metadata = await send('login', url, { method: 'GET' }).catch((error: AuthError) => {
    throw error.retryable ? error : invalid(`no metadata at ${url}: ${error.message}`)
  })
  if (metadata.issuer !== issuer) throw new AuthError('invalid_issuer', `discovery names the issuer ${String(metadata.issuer).slice(0, 200)}, not ${issuer}`)
  for (const name of ENDPOINTS) {
    const value = metadata[name]
    if (value === undefined && (name === 'revocation_endpoint' || name === 'end_session_endpoint')) continue
    if (typeof value !== 'string' || !URL.canParse(value)) throw invalid(`${name} missing or not a URL`)
  }
  return metadata as unknown as ProviderMetadata
}

const invalid = (message: string) => new AuthError('invalid_discovery', message)
