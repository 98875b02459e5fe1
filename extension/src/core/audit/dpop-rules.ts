import type { DpopMisfit, RequestRef } from '../dpop-flow.ts'
import { describeToken } from './token-facts.ts'
import { finding, type Evidence, type Finding, type RuleContext } from './types.ts'

/**
 * DPoP (RFC 9449), read from the proofs and credentials the page sent (dpop-flow.ts):
 *   P1 a DPoP-bound token sent as `Authorization: Bearer`: the downgrade that makes a stolen
 *      token usable again wherever the server is lax (RFC 9449 §7.2; security case D10)
 *   P2 a proof `jti` sent on two requests: a replayed proof (RFC 9449 §11.1)
 *   P3 a proof for another method or URL (query and fragment ignored), or a proof with a token
 *      that lacks `ath` or hashes another token (RFC 9449 §4.3, §7)
 */
export function dpopRules(ctx: RuleContext): Finding[] {
  return [...downgrade(ctx), ...replays(ctx), ...misfits(ctx)]
}

const requestEvidence = (text: string, request: RequestRef): Evidence => ({ text, request: { method: request.method, url: request.url } })

function downgrade(ctx: RuleContext): Finding[] {
  const findings: Finding[] = []
  const byId = new Map(ctx.tokens.map((t) => [t.id, t]))
  for (const entry of ctx.dpop.tokens) {
    if (entry.basis === null || entry.sent.bearer === 0 || !entry.lastBearer) continue
    const token = byId.get(entry.tokenId)
    const boundBy = entry.basis === 'cnf.jkt' ? 'its cnf.jkt names the key it is bound to' : 'it was issued with token_type DPoP'
    findings.push(finding('P1', entry.tokenId, {
      detail: `A DPoP-bound token (${boundBy}) was sent ${entry.sent.bearer === 1 ? 'once' : `${entry.sent.bearer} times`} as "Authorization: Bearer", without a proof. A server that accepts it treats the token as a bearer token, and a thief needs no key at all: the binding protects nothing. Send it as "Authorization: DPoP" with a proof on every request, and have the server refuse DPoP-bound tokens presented as Bearer.`,
      evidence: { ...requestEvidence(token ? describeToken(token) : `token ${entry.tokenId}`, entry.lastBearer), tokenId: entry.tokenId, place: { source: 'authorization-header', key: 'Authorization' } },
    }))
  }
  return findings
}

function replays(ctx: RuleContext): Finding[] {
  return ctx.dpop.replays.map((replay) =>
    finding('P2', `jti:${replay.jti}`, {
      detail: `The proof with jti "${replay.jti}" was sent on ${replay.first.method} ${replay.first.url} and again on ${replay.again.method} ${replay.again.url}. A proof is for one request: a server must refuse a jti it has seen, so a client that re-sends one fails, and one that can is showing its proofs to whoever can resend them. Sign a fresh proof, with a new jti, for every request, retries included.`,
      evidence: requestEvidence(`proof jti ${replay.jti}, sent again`, replay.again),
    }),
  )
}

const MISFIT_TEXT: Record<DpopMisfit['problem'], (m: DpopMisfit) => { title: string; detail: string }> = {
  htm: (m) => ({
    title: 'DPoP proof for another method',
    detail: `The proof says htm "${m.htm ?? '(none)'}" but rides on a ${m.request.method}. The server compares them exactly, so the request fails; a proof that could serve another method would be worth stealing. Sign htm with the request's method, as sent.`,
  }),
  htu: (m) => ({
    title: 'DPoP proof for another URL',
    detail: `The proof says htu "${m.htu ?? '(none)'}" but rides on ${m.request.url} (query and fragment ignored). The server refuses it; a proof valid for any URL could be replayed against another endpoint. Sign htu with the request's URL, without query and fragment.`,
  }),
  'ath-missing': () => ({
    title: 'DPoP proof without ath',
    detail: 'A proof sent with an access token carries no ath, the hash of that token. Without it, a proof captured with one token can go with another, and the server must refuse it. Put ath = BASE64URL(SHA-256(access token)) in every proof sent with a token.',
  }),
  'ath-mismatch': () => ({
    title: 'DPoP proof ath for another token',
    detail: 'The proof\'s ath is not the hash of the access token it was sent with: it was made for another token, and the server must refuse it. Hash the token actually sent.',
  }),
}

function misfits(ctx: RuleContext): Finding[] {
  return ctx.dpop.misfits.map((misfit) => {
    const { title, detail } = MISFIT_TEXT[misfit.problem](misfit)
    return finding('P3', `${misfit.problem}:${misfit.request.method} ${misfit.request.url.split(/[?#]/)[0]}`, {
      title,
      detail,
      evidence: requestEvidence(`proof on ${misfit.request.method} ${misfit.request.url}`, misfit.request),
    })
  })
}
