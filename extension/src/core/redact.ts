import { isAuthLikeName } from './auth-names.ts'
import { classifyClaim } from './claims.ts'
import { describePartition, type CookieRecord } from './cookies.ts'
import { isTokenLikeValue, type JsonObject } from './decode.ts'
import { expiryView, type ClockEstimate } from './expiry.ts'
import type { TokenRecord } from './identity.ts'
import type { Finding } from './audit/types.ts'
import type { TimelineEvent } from './timeline.ts'

/**
 * Masking for the panel (cookie values are masked by default, E13) and the redacted export for a
 * bug report: signatures stripped, personal and secret claims masked, cookie values masked, token
 * parameters in URLs masked. The export never contains a value that would authenticate anyone.
 */

const JOSE_IN_TEXT = /e[wy][A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){1,3}/g
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
const MAX_REDACT_DEPTH = 8
/**
 * OAuth parameters that are credentials whatever they look like: a short authorization code is
 * as good as a long one until redeemed (RFC 6749 §10.5), and a PKCE verifier redeems it (RFC 7636).
 */
const CREDENTIAL_PARAMS = new Set(['code', 'code_verifier', 'client_assertion', 'assertion', 'device_code', 'subject_token', 'actor_token'])

export function maskValue(value: string): string {
  return value.length === 0 ? '' : `••••• (${value.length} chars)`
}

/** Replaces JWT-shaped substrings and e-mail addresses in free text. */
export function scrubText(text: string): string {
  return text.replace(JOSE_IN_TEXT, '[token]').replace(EMAIL_IN_TEXT, '[email]')
}

/** Page-controlled text kept in events: scrubbed, and capped so a hostile page cannot bloat them. */
export function pageText(value: string, max = 200): string {
  const scrubbed = scrubText(value)
  return scrubbed.length > max ? `${scrubbed.slice(0, max - 1)}…` : scrubbed
}

/** Masks query and fragment parameters that hold credentials; keeps the rest of the URL. */
export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return scrubText(url)
  }
  const maskParams = (params: URLSearchParams) => {
    for (const [name, value] of [...params]) {
      if (CREDENTIAL_PARAMS.has(name) || isAuthLikeName(name) || isTokenLikeValue(value) || classifyClaim(name)) params.set(name, 'REDACTED')
    }
  }
  maskParams(parsed.searchParams)
  if (parsed.hash.length > 1 && parsed.hash.includes('=')) {
    const fragment = new URLSearchParams(parsed.hash.slice(1))
    maskParams(fragment)
    parsed.hash = fragment.toString()
  }
  parsed.username = ''
  parsed.password = ''
  return scrubText(parsed.href)
}

/** A copy of the claims with personal and secret ones masked, at any depth. */
export function redactClaims(claims: JsonObject): JsonObject {
  return redactObject(claims, 0)
}

function redactObject(object: JsonObject, depth: number): JsonObject {
  const out: JsonObject = {}
  for (const [name, value] of Object.entries(object)) {
    if (name === '__proto__') continue
    out[name] = classifyClaim(name) ? maskAny(value) : redactAny(value, depth + 1)
  }
  return out
}

function redactAny(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value)
  if (depth > MAX_REDACT_DEPTH) return '[too deep]'
  if (Array.isArray(value)) return value.map((item) => redactAny(item, depth + 1))
  if (typeof value === 'object' && value !== null) return redactObject(value as JsonObject, depth)
  return value
}

function maskAny(value: unknown): string {
  return typeof value === 'string' ? maskValue(value) : '••••• (masked)'
}

export interface RedactedToken {
  id: string
  kind: TokenRecord['inspection']['kind']
  role: TokenRecord['role']
  length: number
  header?: JsonObject
  claims?: JsonObject
  signature: 'stripped' | 'absent' | 'not-applicable'
  reason?: string
  notes: string[]
  expiry?: { state: string; expiresAt: string | null; remainingLocalMs: number | null; remainingServerMs: number | null }
  places: Array<{ source: string; key: string; direction: string; count: number }>
}

export function redactToken(token: TokenRecord, nowMs: number, clock: ClockEstimate | null = null): RedactedToken {
  const { inspection } = token
  const base = {
    id: token.id,
    kind: inspection.kind,
    role: token.role,
    length: inspection.length,
    notes: inspection.notes.map((n) => scrubText(n.detail)),
    places: token.places.map((p) => ({ source: p.place.source, key: scrubText(p.place.key), direction: p.direction, count: p.count })),
  }
  if (inspection.kind === 'jws') {
    const view = expiryView(inspection.claims, nowMs, clock)
    return {
      ...base,
      header: redactClaims(inspection.header),
      claims: redactClaims(inspection.claims),
      signature: inspection.signature === '' ? 'absent' : 'stripped',
      expiry: {
        state: view.state,
        expiresAt: view.expiresAtMs === null ? null : new Date(view.expiresAtMs).toISOString(),
        remainingLocalMs: view.remainingLocalMs,
        remainingServerMs: view.remainingServerMs,
      },
    }
  }
  return {
    ...base,
    ...(inspection.kind === 'jwe' ? { header: redactClaims(inspection.header) } : {}),
    signature: 'not-applicable',
    reason: inspection.kind === 'not-jwt' ? `${inspection.reason}: ${scrubText(inspection.detail)}` : inspection.reason,
  }
}

export interface RedactedCookie {
  name: string
  value: string
  domain: string
  path: string
  size: number
  httpOnly: boolean
  secure: boolean
  sameSite: CookieRecord['sameSite']
  expires: string | null
  partition: string | null
}

export function redactCookie(cookie: CookieRecord): RedactedCookie {
  return {
    name: scrubText(cookie.name),
    value: maskValue(cookie.value),
    domain: cookie.domain,
    path: cookie.path,
    size: cookie.name.length + cookie.value.length,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    expires: cookie.expirationDate === undefined ? null : new Date(cookie.expirationDate * 1000).toISOString(),
    partition: describePartition(cookie),
  }
}

export interface RedactedExport {
  format: 'authlens-redacted-export'
  version: 1
  exportedAt: string
  page: string | null
  clock: { offsetMs: number; uncertaintyMs: number } | null
  tokens: RedactedToken[]
  cookies: RedactedCookie[]
  findings: Finding[]
  timeline: unknown[]
}

export interface ExportInput {
  tokens: readonly TokenRecord[]
  cookies: readonly CookieRecord[]
  findings: readonly Finding[]
  timeline?: readonly TimelineEvent[]
  pageUrl?: string
  nowMs: number
  clock?: ClockEstimate | null
}

export function buildRedactedExport(input: ExportInput): RedactedExport {
  const clock = input.clock ?? null
  return {
    format: 'authlens-redacted-export',
    version: 1,
    exportedAt: new Date(input.nowMs).toISOString(),
    page: input.pageUrl ? redactUrl(input.pageUrl) : null,
    clock: clock ? { offsetMs: clock.offsetMs, uncertaintyMs: clock.uncertaintyMs } : null,
    tokens: input.tokens.map((t) => redactToken(t, input.nowMs, clock)),
    cookies: input.cookies.map(redactCookie),
    findings: input.findings.map((f) => ({
      ...f,
      detail: scrubText(f.detail),
      evidence: { ...f.evidence, text: scrubText(f.evidence.text), ...(f.evidence.request ? { request: { ...f.evidence.request, url: redactUrl(f.evidence.request.url) } } : {}) },
    })),
    timeline: (input.timeline ?? []).map(redactEvent),
  }
}

function redactEvent(event: TimelineEvent): unknown {
  if (event.kind === 'sdk-event') return { ...event, data: redactClaims(event.data) }
  if ('url' in event) return { ...event, url: redactUrl(event.url) }
  if (event.kind === 'token-issued') return { ...event, place: { ...event.place, key: scrubText(event.place.key) } }
  return event
}

export function exportToJson(data: RedactedExport): string {
  return JSON.stringify(data, null, 2)
}
