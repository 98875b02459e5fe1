import { DPOP_ALGORITHMS, type ProofRequest, type VerifiedProof } from '../domain/dpop.ts'
import { BackendError } from '../domain/errors.ts'
import type { BackendParts, RequestContext } from './context.ts'

/** RFC 9449 §7.1: the challenge a resource sends, naming the algorithms it accepts for proofs. */
export const DPOP_CHALLENGE = `DPoP algs="${DPOP_ALGORITHMS.join(' ')}"`

/**
 * A token request's proof (RFC 9449 §5), when it comes with one; without, the request is served
 * as before and its tokens are bearer tokens. A refused proof is 400, as at any token endpoint.
 */
export async function tokenRequestProof(parts: BackendParts, ctx: RequestContext): Promise<VerifiedProof | undefined> {
  if (!ctx.request.headers.has('dpop')) return undefined
  return checkProof(parts, ctx, {})
}

/** A resource request's proof for `accessToken`, from the key it is bound to; refused: 401 with the DPoP challenge. */
export async function resourceProof(parts: BackendParts, ctx: RequestContext, accessToken: string, boundKey: string): Promise<VerifiedProof> {
  try {
    return await checkProof(parts, ctx, { accessToken, boundKey })
  } catch (error) {
    throw error instanceof BackendError && error.status === 400 ? withDpopChallenge(error) : error
  }
}

/** RFC 9449 §7.1: a resource's refusal as 401 with `WWW-Authenticate: DPoP algs="…", error="…"`. */
export function withDpopChallenge(error: BackendError): BackendError {
  const description = error.description.replace(/["\\]/g, '')
  return new BackendError(error.code, error.description, {
    status: 401,
    reason: error.reason,
    headers: { ...error.headers, 'WWW-Authenticate': `${DPOP_CHALLENGE}, error="${error.code}", error_description="${description}"` },
  })
}

export function countDpopRefusal(parts: BackendParts, reason: string): void {
  parts.stats.dpop.refused[reason] = (parts.stats.dpop.refused[reason] ?? 0) + 1
}

async function checkProof(parts: BackendParts, ctx: RequestContext, binding: Pick<ProofRequest, 'accessToken' | 'boundKey'>): Promise<VerifiedProof> {
  // Every answer to a proof, success or refusal, tells the client the nonce to use next (RFC 9449 §8.2).
  if (parts.options.dpop.nonce) ctx.response.headers.set('DPoP-Nonce', await parts.dpopNonces.current())
  try {
    const proof = await parts.dpop.verify({ header: ctx.request.headers.get('dpop'), method: ctx.request.method, url: ctx.url.href, ...binding }, ctx.timings)
    parts.stats.dpop.verified++
    return proof
  } catch (error) {
    if (error instanceof BackendError && error.reason !== undefined) countDpopRefusal(parts, error.reason)
    throw error
  }
}
