import { AuthError } from '../errors.ts'
import { decodeJwt, type TokenSet } from '../token.ts'

export interface IdTokenExpectations {
  issuer: string
  clientId: string
  /** The nonce sent with this sign-in; none on a refresh (OIDC Core §12.2). */
  nonce?: string
  /** Local time, ms. */
  now: number
}

/** Clocks of browsers and providers differ; `exp` and `iat` are judged with this tolerance. */
const SKEW_SECONDS = 300

/**
 * The ID token checks of OpenID Connect Core §3.1.3.7 that a browser can make: the header names
 * a signature algorithm (`alg: none` is refused, step 6 in spirit), `iss` is the issuer (step 2),
 * `aud` holds our client id (step 3), `azp` is there when there are several audiences and is ours
 * when present (steps 4–5), `exp` is not past (step 9), `iat` is a time not in the future
 * (step 10), `nonce` is the one this sign-in sent (step 11); `sub` is there (§2).
 *
 * The signature is not verified. The token comes straight from the token endpoint over TLS, in
 * answer to a request that proved possession of the code verifier, which step 6 accepts in place
 * of the signature; verifying would mean fetching the JWKS and carrying JWS code for every
 * algorithm a provider may use, beyond this entry's size budget. APIs verify the tokens they get.
 */
export function checkIdToken(token: unknown, { issuer, clientId, nonce, now }: IdTokenExpectations): TokenSet['claims'] {
  const text = typeof token === 'string' ? token : ''
  // decodeJwt reads a token's middle segment, strictly; the header is read by putting it there.
  const header = decodeJwt(`.${text.slice(0, text.indexOf('.'))}.`)
  const claims = decodeJwt(text)
  const refuse = (why: string): never => {
    throw new AuthError('invalid_id_token', `ID token ${why}`)
  }
  if (!header || !claims) return refuse('unreadable')
  if (typeof header.alg !== 'string' || /^none$/i.test(header.alg)) refuse('not signed (alg none)')
  if (claims.iss !== issuer) refuse('from another issuer')
  const audiences = [claims.aud].flat()
  if (!audiences.includes(clientId)) refuse('for another audience')
  if ((audiences.length > 1 || claims.azp !== undefined) && claims.azp !== clientId) refuse('authorized for another party (azp)')
  const seconds = now / 1000
  if (typeof claims.exp !== 'number' || claims.exp + SKEW_SECONDS <= seconds) refuse('expired')
  if (typeof claims.iat !== 'number' || claims.iat - SKEW_SECONDS > seconds) refuse('issued in the future')
  if (nonce !== undefined && claims.nonce !== nonce) refuse('with another nonce')
  if (typeof claims.sub !== 'string') refuse('without a subject')
  return claims
}
