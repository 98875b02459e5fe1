import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose'
import { http, HttpResponse, type HttpHandler } from 'msw'

export interface VerifiedProof {
  path: string
  method: string
  header: { typ?: string; alg?: string; jwk?: JWK }
  claims: JWTPayload & { htm?: string; htu?: string; ath?: string; nonce?: string }
  /** RFC 7638 thumbprint of the proof's key. */
  jkt: string
}

const sha256 = async (text: string) => Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('base64url')
const random = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url')

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code)
  }
}

/**
 * A small DPoP (RFC 9449) token and resource server as msw handlers, in front of the mock
 * backend's JSON login paths: it verifies every proof with jose (signature with the embedded key,
 * `typ`, `htm`, `htu`, `iat`, unique `jti`, `ath`, the nonce), binds tokens to the key's
 * thumbprint (`cnf.jkt`) and refuses them under any other key or as `Bearer`. `requireNonce(n)`
 * makes it demand nonce `n`: 400 `use_dpop_nonce` at the token endpoints, 401 with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"` at the API, each with `DPoP-Nonce`.
 */
export function createDpopTestServer(origin: string) {
  const secret = new TextEncoder().encode('dpop-test-server-secret-0123456789abcdef')
  const jtis = new Set<string>()
  const proofs: VerifiedProof[] = []
  const refusals: { path: string; code: string }[] = []
  const refreshTokens = new Map<string, { jkt: string; sub: string; spent: boolean }>()
  let nonce: string | undefined
  /** Handed out with the next success, and wanted from then on (RFC 9449 §8.2). */
  let upcoming: string | undefined

  async function verifyProof(request: Request, accessToken?: string): Promise<string> {
    const url = new URL(request.url)
    const proof = request.headers.get('dpop')
    if (!proof) throw new Refusal(400, 'invalid_dpop_proof')
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'], maxTokenAge: 60, clockTolerance: 5 }).catch(() => {
      throw new Refusal(400, 'invalid_dpop_proof')
    })
    const claims = payload as VerifiedProof['claims']
    const jwk = protectedHeader.jwk!
    const jkt = await calculateJwkThumbprint(jwk)
    proofs.push({ path: url.pathname, method: request.method, header: protectedHeader as VerifiedProof['header'], claims, jkt })
    const valid =
      !('d' in jwk) &&
      claims.htm === request.method &&
      claims.htu === `${url.origin}${url.pathname}` &&
      typeof claims.jti === 'string' &&
      !jtis.has(claims.jti) &&
      (accessToken === undefined ? claims.ath === undefined : claims.ath === (await sha256(accessToken)))
    if (!valid) throw new Refusal(400, 'invalid_dpop_proof')
    jtis.add(claims.jti!)
    if (nonce !== undefined && claims.nonce !== nonce) throw new Refusal(400, 'use_dpop_nonce')
    return jkt
  }

  const issue = async (sub: string, jkt: string) => {
    const refreshToken = random()
    refreshTokens.set(refreshToken, { jkt, sub, spent: false })
    const accessToken = await new SignJWT({ cnf: { jkt } }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setSubject(sub).setIssuedAt().setExpirationTime('5m').setJti(random()).sign(secret)
    return HttpResponse.json({ accessToken, tokenType: 'DPoP', expiresIn: 300, refreshToken }, { headers: successHeaders() })
  }
  const nonceHeader = (): Record<string, string> => (nonce ? { 'DPoP-Nonce': nonce } : {})
  const successHeaders = () => {
    nonce = upcoming ?? nonce
    upcoming = undefined
    return nonceHeader()
  }

  /** Runs a route; a refusal becomes its error answer, with the nonce when one is wanted. */
  const route = (resource: boolean, handle: (request: Request) => Promise<Response>) => async ({ request }: { request: Request }) => {
    try {
      return await handle(request)
    } catch (error) {
      if (!(error instanceof Refusal)) throw error
      refusals.push({ path: new URL(request.url).pathname, code: error.code })
      const status = resource ? 401 : error.status
      const challenge: Record<string, string> = resource ? { 'WWW-Authenticate': `DPoP algs="ES256", error="${error.code}"` } : {}
      return HttpResponse.json({ error: error.code }, { status, headers: { ...challenge, ...nonceHeader(), ...error.headers } })
    }
  }

  const handlers: HttpHandler[] = [
    http.post(
      `${origin}/api/auth/login`,
      route(false, async (request) => {
        const jkt = await verifyProof(request)
        const { username } = (await request.json()) as { username?: string }
        return issue(`u_${username}`, jkt)
      }),
    ),
    http.post(
      `${origin}/api/auth/refresh`,
      route(false, async (request) => {
        const jkt = await verifyProof(request)
        const { refreshToken = '' } = (await request.json()) as { refreshToken?: string }
        const family = refreshTokens.get(refreshToken)
        // RFC 9449 §5: a refresh token bound to another key is no grant.
        if (!family || family.spent || family.jkt !== jkt) throw new Refusal(400, 'invalid_grant')
        family.spent = true
        return issue(family.sub, jkt)
      }),
    ),
    http.post(
      `${origin}/api/auth/logout`,
      route(false, async (request) => {
        await verifyProof(request, /^DPoP (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1])
        return HttpResponse.json({ signedOut: true })
      }),
    ),
    http.get(
      `${origin}/api/me`,
      route(true, async (request) => {
        const token = /^DPoP (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1]
        if (!token) throw new Refusal(401, 'invalid_token')
        const { payload } = await jwtVerify(token, secret).catch(() => {
          throw new Refusal(401, 'invalid_token')
        })
        const jkt = await verifyProof(request, token)
        if ((payload.cnf as { jkt?: string } | undefined)?.jkt !== jkt) throw new Refusal(401, 'invalid_dpop_proof')
        return HttpResponse.json({ user: { id: payload.sub } }, { headers: successHeaders() })
      }),
    ),
  ]

  return {
    handlers,
    proofs,
    refusals,
    /** From now on, every proof must carry `value` (none: no nonce wanted). */
    requireNonce(value: string | undefined) {
      nonce = value
    },
    /** The next successful answer hands out `value`, which every later proof must carry. */
    rotateNonceOnSuccess(value: string) {
      upcoming = value
    },
  }
}
