import { BackendError } from '../errors.ts'
import type { BffTokens } from './sessions.ts'

export interface ProviderEndpoints {
  token: string
  revoke: string
}

export interface ProviderClientOptions {
  clientId: string
  clientSecret: string
  /** Read per call: the issuer may be known only once the server listens. */
  endpoints: () => ProviderEndpoints
  now: () => number
  timeoutMs?: number
}

/**
 * The BFF as the provider's confidential client, over HTTP like any other: `client_secret_basic`
 * (RFC 6749 §2.3.1) at the token and revocation endpoints. The provider sees a real client
 * authenticate, and counts and checks it exactly as it would a BFF on another machine.
 */
export class ProviderClient {
  constructor(private readonly options: ProviderClientOptions) {}

  /** RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5). */
  async redeemCode(code: string, redirectUri: string, codeVerifier: string): Promise<BffTokens & { idToken: string }> {
    const answer = await this.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier })
    if (typeof answer.id_token !== 'string') throw badAnswer('the token endpoint sent no id_token')
    return { ...this.tokens(answer), idToken: answer.id_token }
  }

  /** RFC 6749 §6; the provider rotates the refresh token, so the answer's replaces it. */
  async refresh(refreshToken: string): Promise<BffTokens> {
    const answer = await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken })
    return this.tokens(answer)
  }

  /** RFC 7009; false when the provider could not be reached or refused: the caller signs out all the same. */
  async revoke(token: string): Promise<boolean> {
    try {
      const response = await this.post(this.options.endpoints().revoke, { token, token_type_hint: 'refresh_token' })
      await response.body?.cancel()
      return response.ok
    } catch {
      return false
    }
  }

  private tokens(answer: Record<string, unknown>): BffTokens {
    const { access_token: accessToken, expires_in: expiresIn, refresh_token: refreshToken, token_type: tokenType } = answer
    if (typeof accessToken !== 'string' || typeof expiresIn !== 'number' || !(expiresIn > 0) || String(tokenType).toLowerCase() !== 'bearer') {
      throw badAnswer('the token endpoint sent no usable bearer access token')
    }
    return {
      accessToken,
      accessExpiresAt: this.options.now() + expiresIn * 1000,
      ...(typeof refreshToken === 'string' ? { refreshToken } : {}),
    }
  }

  /** A grant the provider refused is `invalid_grant` (the sign-in is over); anything else is the gateway's failure. */
  private async tokenRequest(fields: Record<string, string>): Promise<Record<string, unknown>> {
    const response = await this.post(this.options.endpoints().token, fields)
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
    if (response.ok && typeof body === 'object' && body !== null) return body
    if (response.status === 400 && body?.error === 'invalid_grant') throw new BackendError('invalid_grant', 'the provider refused the grant', { reason: String(body.reason ?? 'invalid_grant') })
    throw badAnswer(`the token endpoint answered ${response.status}${typeof body?.error === 'string' ? ` ${body.error.slice(0, 40)}` : ''}`)
  }

  private async post(url: string, fields: Record<string, string>): Promise<Response> {
    const form = (text: string) => encodeURIComponent(text).replace(/%20/g, '+')
    const credentials = btoa(`${form(this.options.clientId)}:${form(this.options.clientSecret)}`)
    try {
      return await fetch(url, {
        method: 'POST',
        headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(fields),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        redirect: 'manual',
      })
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') throw new BackendError('gateway_timeout', 'the provider did not answer in time')
      throw new BackendError('bad_gateway', 'the provider could not be reached')
    }
  }
}

function badAnswer(description: string): BackendError {
  return new BackendError('bad_gateway', description)
}
