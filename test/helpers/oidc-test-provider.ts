import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose'
import { getResponse, http, HttpResponse, type HttpHandler } from 'msw'

export const ISSUER = 'https://op.test'
export const CLIENT_ID = 'spa'
export const REDIRECT_URI = 'https://app.test/callback'

/** Ways the test provider can misbehave; each test sets the one it needs. */
export interface Misbehaviour {
  /** Discovery: another issuer, extra or missing fields, or a body that is not metadata. */
  discovery?: (metadata: Record<string, unknown>) => unknown
  /** The `iss` in the redirect back: another value, or none (`null`). */
  responseIss?: string | null
  /** Claims of the next ID tokens, changed. */
  idToken?: (claims: JWTPayload) => JWTPayload
  /** An unsigned ID token (`alg: none`). */
  unsignedIdToken?: boolean
  /** The token endpoint's answer, changed. */
  tokenResponse?: (body: Record<string, unknown>) => unknown
  /** Revocation: 200 with an empty text/plain body (the default), 400 `unsupported_token_type`, or no answer. */
  revocation?: 'ok' | 'unsupported_token_type' | 'network'
  /** Lifetime of access tokens, seconds. */
  accessTokenSeconds?: number
}

interface Grant {
  challenge: string
  nonce: string
  redirectUri: string
  clientId: string
  scope: string
  used: boolean
}

const sha256 = async (text: string) => Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('base64url')
const random = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url')

/**
 * A small OpenID Provider as msw handlers, for the SDK's OIDC tests: discovery, a token endpoint
 * (code with PKCE S256, refresh with rotation), revocation; ID tokens signed with ES256 by jose.
 * Access tokens are opaque. `authorize(url)` plays the provider's authorization endpoint: it
 * records the grant the SDK asked for and returns the URL the browser is sent back to.
 */
export async function createTestProvider(misbehaviour: Misbehaviour = {}) {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
  const grants = new Map<string, Grant>()
  /** Refresh tokens: live ones map to their grant; rotated-out ones are remembered as spent. */
  const refreshTokens = new Map<string, { grant: Grant; spent: boolean; sub: string }>()
  const tokenRequests: Record<string, string>[] = []
  const revocations: { fields: Record<string, string>; contentType: string | null }[] = []
  const authorizations: URL[] = []
  const accessTokens: string[] = []
  let sub = 'u_alice'

  const idToken = async (grant: Grant, nonce: string | undefined) => {
    const now = Math.floor(Date.now() / 1000)
    const base: JWTPayload = { iss: ISSUER, sub, aud: grant.clientId, iat: now, exp: now + 300, name: 'Alice Liddell', ...(nonce && { nonce }) }
    const claims = misbehaviour.idToken?.(base) ?? base
    if (misbehaviour.unsignedIdToken) {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
      return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`
    }
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' }).sign(privateKey)
  }

  const issue = async (grant: Grant, nonce: string | undefined) => {
    const accessToken = `opaque-${random()}`
    accessTokens.push(accessToken)
    const refreshToken = grant.scope.split(' ').includes('offline_access') ? `rt-${random()}` : undefined
    if (refreshToken) refreshTokens.set(refreshToken, { grant, spent: false, sub })
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: misbehaviour.accessTokenSeconds ?? 300,
      id_token: await idToken(grant, nonce),
      scope: grant.scope,
      ...(refreshToken && { refresh_token: refreshToken }),
    }
    const answer = misbehaviour.tokenResponse?.(body) ?? body
    return HttpResponse.json(answer as Record<string, unknown>, { headers: { 'Cache-Control': 'no-store' } })
  }
  const oauthError = (error: string) => HttpResponse.json({ error }, { status: 400 })

  const metadata = {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    revocation_endpoint: `${ISSUER}/revoke`,
    end_session_endpoint: `${ISSUER}/session/end`,
    jwks_uri: `${ISSUER}/jwks`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  }

  const handlers: HttpHandler[] = [
    http.get(`${ISSUER}/.well-known/openid-configuration`, () => HttpResponse.json((misbehaviour.discovery?.(metadata) ?? metadata) as Record<string, unknown>)),
    http.get(`${ISSUER}/jwks`, () => HttpResponse.json({ keys: [jwk] })),
    http.post(`${ISSUER}/token`, async ({ request }) => {
      const fields = Object.fromEntries(new URLSearchParams(await request.text()))
      tokenRequests.push({ ...fields, contentType: request.headers.get('content-type') ?? '' })
      if (fields.grant_type === 'authorization_code') {
        const grant = grants.get(fields.code ?? '')
        if (!grant || grant.used || grant.clientId !== fields.client_id || grant.redirectUri !== fields.redirect_uri) return oauthError('invalid_grant')
        grant.used = true
        if ((await sha256(fields.code_verifier ?? '')) !== grant.challenge) return oauthError('invalid_grant')
        return issue(grant, grant.nonce)
      }
      if (fields.grant_type === 'refresh_token') {
        const held = refreshTokens.get(fields.refresh_token ?? '')
        if (!held || held.spent || held.grant.clientId !== fields.client_id) return oauthError('invalid_grant')
        held.spent = true
        return issue(held.grant, undefined)
      }
      return oauthError('unsupported_grant_type')
    }),
    http.post(`${ISSUER}/revoke`, async ({ request }) => {
      revocations.push({ fields: Object.fromEntries(new URLSearchParams(await request.text())), contentType: request.headers.get('content-type') })
      if (misbehaviour.revocation === 'network') return HttpResponse.error()
      if (misbehaviour.revocation === 'unsupported_token_type') return oauthError('unsupported_token_type')
      return new HttpResponse('', { status: 200, headers: { 'Content-Type': 'text/plain' } })
    }),
  ]

  /** A fetch that reaches these handlers (and `extra` ones), as a browser's would: a failed handler is a TypeError. */
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const response = (await getResponse(handlers, request)) ?? HttpResponse.json({ error: 'not_found' }, { status: 404 })
    if (response.type === 'error') throw new TypeError('Failed to fetch')
    return response
  }

  return {
    misbehaviour,
    handlers,
    fetch,
    tokenRequests,
    revocations,
    authorizations,
    accessTokens,
    refreshTokens,
    /** The user the next sign-in is for. */
    signInAs(user: string) {
      sub = user
    },
    /**
     * The authorization endpoint: records what the SDK asked for, and returns the redirect back
     * with a code (or, with `error`, an error response), `state` and `iss` as RFC 9207 says.
     */
    async authorize(authorizationUrl: string, { error, state }: { error?: string; state?: string | null } = {}) {
      const url = new URL(authorizationUrl)
      authorizations.push(url)
      const q = url.searchParams
      const back = new URL(q.get('redirect_uri')!)
      if (error) back.searchParams.set('error', error)
      else {
        const code = random()
        grants.set(code, {
          challenge: q.get('code_challenge')!,
          nonce: q.get('nonce')!,
          redirectUri: q.get('redirect_uri')!,
          clientId: q.get('client_id')!,
          scope: q.get('scope')!,
          used: false,
        })
        back.searchParams.set('code', code)
      }
      const sentState = state === undefined ? q.get('state') : state
      if (sentState !== null) back.searchParams.set('state', sentState!)
      const iss = misbehaviour.responseIss === undefined ? ISSUER : misbehaviour.responseIss
      if (iss !== null) back.searchParams.set('iss', iss)
      back.searchParams.set('session_state', 'provider-session')
      return back.href
    },
    codeRequests: () => tokenRequests.filter((request) => request.grant_type === 'authorization_code'),
  }
}

export type TestProvider = Awaited<ReturnType<typeof createTestProvider>>
