import type { JsonObject } from './decode.ts'
import type { DpopProof, DpopRequest } from './dpop.ts'
import { hash64 } from './hash.ts'
import type { TokenRecord } from './identity.ts'
import { endpointOf } from './oauth.ts'
import { parseUrl } from './origins.ts'
import { redactUrl } from './redact.ts'
import { base64UrlSha256 } from './thumbprint.ts'

/**
 * Follows DPoP (RFC 9449) across requests: which key each access token is bound to (its
 * `cnf.jkt`, or the key of the proof on the token request that issued it as `token_type: DPoP`),
 * whether each request that carries the token proves that key, and what the P rules audit: a bound
 * token sent as Bearer, a proof `jti` sent twice, a proof that does not fit its request. Holds
 * token ids, thumbprints and proof claims; never a token, never a proof's signature.
 */

/**
 * For a request carrying a token: `yes` the proof's key is the token's; `no` another key;
 * `no-proof` DPoP scheme without a proof; `bearer` a bound token sent as Bearer (RFC 9449 §7.2);
 * `unknown` the token's key was never seen (opaque, issued before the panel looked).
 */
export type DpopBinding = 'yes' | 'no' | 'no-proof' | 'bearer' | 'unknown'

/** `matches` / `mismatch` / `missing`: a request carrying a token (RFC 9449 §4.3 check 11); `present` / `absent`: one without. */
export type AthCheck = 'matches' | 'mismatch' | 'missing' | 'present' | 'absent'

/** A proof as the timeline shows it: `ath` judged against the token it rode with; `alg` not kept. */
export interface DpopProofView extends Omit<DpopProof, 'alg' | 'ath'> {
  ath: AthCheck
  /** RFC 9449 §4.3 checks 8–9: method, and URL without query and fragment. */
  fits: { htm: boolean; htu: boolean }
  /** Its `jti` was already sent on another request (RFC 9449 §11.1). */
  replayed: boolean
}

export interface DpopEvent {
  kind: 'dpop-request'
  at: number
  source: 'network'
  /** The same request seen again (DevTools' log re-read) → the same fingerprint. */
  fingerprint: string
  method: string
  url: string
  status: number
  proof: DpopProofView | null
  /** The `Authorization` credential it carried, by token id. */
  token: { id: string | null; scheme: 'DPoP' | 'Bearer'; binding: DpopBinding; boundTo: string | null } | null
}

export interface RequestRef {
  method: string
  url: string
  at: number
}

/** What the panel knows of one token's DPoP binding. */
export interface TokenDpop {
  tokenId: string
  /** The key it is bound to; null when it was issued as DPoP without a proof the panel saw. */
  jkt: string | null
  /** Null: sent with the DPoP scheme, but nothing the panel saw says which key it is bound to. */
  basis: 'cnf.jkt' | 'token_type' | null
  sent: Record<DpopBinding, number>
  lastBearer: RequestRef | null
}

export interface DpopReplay {
  jti: string
  first: RequestRef
  again: RequestRef
}

export interface DpopMisfit {
  problem: 'htm' | 'htu' | 'ath-missing' | 'ath-mismatch'
  request: RequestRef
  htm: string | null
  htu: string | null
}

/** What the P rules read (audit/dpop-rules.ts). */
export interface DpopFacts {
  tokens: readonly TokenDpop[]
  replays: readonly DpopReplay[]
  misfits: readonly DpopMisfit[]
}

export interface DpopTracker {
  /** The timeline event for one request; null when it has nothing of DPoP (no proof, no DPoP scheme, no bound token). */
  observe(request: DpopRequest, at: number, tokenOf: (value: string) => TokenRecord | undefined): DpopEvent | null
  /** A token response: an access token issued with `token_type` DPoP is bound to the key of the request's proof. */
  issued(token: TokenRecord, tokenType: string | null, proof: DpopProof | null): void
  tokens(): Readonly<Record<string, TokenDpop>>
  facts(): DpopFacts
  clear(): void
}

export function createDpopTracker(max = 200): DpopTracker {
  const tokens = new Map<string, TokenDpop>()
  /** Requests already counted: DevTools' log re-read on opening the panel repeats them. */
  const requests = new Map<string, true>()
  /** The first request each `jti` rode on. */
  const jtis = new Map<string, { request: string; ref: RequestRef }>()
  const replays = new Map<string, DpopReplay>()
  const misfits = new Map<string, DpopMisfit>()
  let published: Record<string, TokenDpop> | null = null

  const remember = <V>(map: Map<string, V>, key: string, value: V, cap = max) => {
    map.delete(key)
    map.set(key, value)
    if (map.size > cap) map.delete(map.keys().next().value as string)
  }
  const entryFor = (tokenId: string, bound: { jkt: string | null; basis: TokenDpop['basis'] }): TokenDpop => {
    const held = tokens.get(tokenId)
    // cnf.jkt is what the issuer wrote; it wins over the key the panel inferred from the token request.
    if (held && (held.basis === 'cnf.jkt' || bound.basis === null || (held.basis === bound.basis && held.jkt === bound.jkt))) return held
    const entry: TokenDpop = { tokenId, ...bound, sent: held?.sent ?? emptyCounts(), lastBearer: held?.lastBearer ?? null }
    remember(tokens, tokenId, entry)
    published = null
    return entry
  }

  return {
    observe(request, at, tokenOf) {
      const { proof, credential } = request
      const record = credential ? tokenOf(credential.token) : undefined
      const cnf = record ? cnfJkt(record) : null
      const known = record ? tokens.get(record.id) : undefined
      const bound = cnf !== null || (known?.basis ?? null) !== null
      if (!proof && credential?.scheme !== 'DPoP' && !bound) return null

      const ref: RequestRef = { method: request.method, url: redactUrl(request.url), at }
      const fingerprint = hash64(`${at}\u0000${request.method}\u0000${request.url}\u0000${request.rawProof ?? ''}\u0000${credential?.token ?? ''}`)
      const repeat = requests.has(fingerprint)
      remember(requests, fingerprint, true, max * 5)
      let token: DpopEvent['token'] = null
      if (credential) {
        const entry = record && (bound || credential.scheme === 'DPoP') ? entryFor(record.id, cnf !== null ? { jkt: cnf, basis: 'cnf.jkt' } : { jkt: known?.jkt ?? null, basis: known?.basis ?? null }) : undefined
        const binding: DpopBinding =
          credential.scheme === 'Bearer' ? 'bearer' : !proof ? 'no-proof' : !entry || entry.basis === null || entry.jkt === null ? 'unknown' : proof.jkt === entry.jkt ? 'yes' : 'no'
        if (entry && !repeat) {
          entry.sent[binding]++
          published = null
          if (binding === 'bearer') entry.lastBearer = ref
        }
        token = { id: record?.id ?? null, scheme: credential.scheme, binding, boundTo: entry?.jkt ?? null }
      }
      const view = proof ? proofView(proof, request, credential?.token ?? null) : null
      if (view && proof?.jti) {
        const seen = jtis.get(proof.jti)
        if (seen && seen.request !== fingerprint) {
          view.replayed = true
          remember(replays, proof.jti, { jti: proof.jti, first: seen.ref, again: ref })
        } else if (!seen) remember(jtis, proof.jti, { request: fingerprint, ref }, max * 5)
      }
      if (view) {
        const misfit = (problem: DpopMisfit['problem']) => remember(misfits, `${problem}\u0000${request.method}\u0000${endpointKey(request.url)}`, { problem, request: ref, htm: view.htm, htu: view.htu })
        if (!view.fits.htm) misfit('htm')
        if (!view.fits.htu) misfit('htu')
        if (view.ath === 'missing') misfit('ath-missing')
        if (view.ath === 'mismatch') misfit('ath-mismatch')
      }
      return { kind: 'dpop-request', at, source: 'network', fingerprint, method: request.method, url: request.url, status: request.status, proof: view, token }
    },
    issued(token, tokenType, proof) {
      if (tokenType?.toLowerCase() !== 'dpop') return
      const cnf = cnfJkt(token)
      entryFor(token.id, cnf !== null ? { jkt: cnf, basis: 'cnf.jkt' } : { jkt: proof?.jkt ?? null, basis: 'token_type' })
    },
    tokens() {
      published ??= Object.fromEntries([...tokens].map(([id, entry]) => [id, { ...entry, sent: { ...entry.sent } }]))
      return published
    },
    facts: () => ({ tokens: [...tokens.values()], replays: [...replays.values()], misfits: [...misfits.values()] }),
    clear() {
      tokens.clear()
      requests.clear()
      jtis.clear()
      replays.clear()
      misfits.clear()
      published = null
    },
  }
}

function emptyCounts(): Record<DpopBinding, number> {
  return { yes: 0, no: 0, 'no-proof': 0, bearer: 0, unknown: 0 }
}

/** RFC 9449 §6.1: the thumbprint a JWT access token is bound to. */
export function cnfJkt(token: TokenRecord): string | null {
  if (token.inspection.kind !== 'jws') return null
  const cnf = token.inspection.claims['cnf']
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as JsonObject)['jkt'] : undefined
  return typeof jkt === 'string' && jkt.length > 0 ? jkt : null
}

/** RFC 9449 §4.3 check 9: the URL without query and fragment, normalized as URLs are parsed. */
function endpointKey(url: string): string | null {
  const parsed = parseUrl(url)
  return parsed ? endpointOf(parsed) : null
}

function proofView(proof: DpopProof, request: DpopRequest, token: string | null): DpopProofView {
  const { alg: _alg, problems, ...shown } = proof
  const ath: AthCheck = token === null ? (proof.ath === null ? 'absent' : 'present') : proof.ath === null ? 'missing' : proof.ath === base64UrlSha256(token) ? 'matches' : 'mismatch'
  const htu = proof.htu === null ? null : endpointKey(proof.htu)
  return {
    ...shown,
    ath,
    // Methods are case-sensitive (RFC 9110 §9.1): a proof for "post" does not fit a POST.
    fits: { htm: proof.htm === request.method, htu: htu !== null && htu === endpointKey(request.url) },
    replayed: false,
    problems: [...problems],
  }
}
