import { jwtDecode } from 'jwt-decode'
import { decodeSegmentText, base64UrlProblem } from './base64url.ts'
import { scanJson } from './json-scan.ts'

/**
 * Lenient inspection of any string that might be a token. Never throws, never verifies: decoded
 * claims are anyone's to forge (RFC 8725 §3.2), so a decoded JWS is labelled unverified until
 * verify.ts checks it against a key the page itself fetched. When a value is not a JWT, the result
 * says why (the thing jwt.io and every auth extension leave out).
 */

/** Real tokens stay far below this (cookies cap at 4 KB, headers at 8–16 KB). */
export const MAX_TOKEN_CHARS = 64 * 1024
/** Claims rarely nest past 5 levels; deeper values are refused before `JSON.parse` (E20). */
export const MAX_JSON_DEPTH = 32
/** E19: shown on every decoded token. */
export const SIGNATURE_NOT_VERIFIED = 'Signature not verified: decoded only, anyone can forge these claims'

export type JsonObject = Record<string, unknown>

export type NotJwtReason =
  | 'empty'
  | 'too-large'
  | 'segment-count'
  | 'bad-base64url'
  | 'invalid-utf8'
  | 'not-json'
  | 'json-in-json-string'
  | 'not-an-object'
  | 'too-deep'

export interface DecodeNote {
  code: 'duplicate-keys' | 'missing-alg' | 'json-string-unwrapped' | 'whitespace-trimmed'
  detail: string
}

interface InspectionBase {
  /** Characters in the inspected value (after trimming/unwrapping). */
  length: number
  notes: DecodeNote[]
}

export type TokenInspection =
  | (InspectionBase & {
      kind: 'jws'
      header: JsonObject
      claims: JsonObject
      /** base64url signature; '' when absent (unsecured or stripped). */
      signature: string
      /** `header.payload`: what the signature covers, and this token's identity across places. */
      signingInput: string
      /** `alg: none` (any case) or an empty signature. */
      unsecured: boolean
      verification: 'not-verified'
    })
  | (InspectionBase & { kind: 'jwe'; header: JsonObject; reason: string })
  | (InspectionBase & { kind: 'opaque'; reason: string })
  | (InspectionBase & { kind: 'not-jwt'; reason: NotJwtReason; detail: string })

export type NotJwt = Extract<TokenInspection, { kind: 'not-jwt' }>

/** Compact JWS (3 parts) or JWE (5 parts) whose header starts with `{`: worth decoding. */
const COMPACT_JOSE = /^e[wy][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2}$|^e[wy][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){4}$/
/** RFC 6750 §2.1 b64token: what an opaque bearer token looks like. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
const MIN_OPAQUE_CHARS = 16

export function looksLikeCompactJose(value: string): boolean {
  return value.length <= MAX_TOKEN_CHARS && COMPACT_JOSE.test(value)
}

/** A credential-shaped string: compact JOSE, or a b64token of at least 16 characters. */
export function isTokenLikeValue(value: string): boolean {
  if (value.length > MAX_TOKEN_CHARS) return false
  return COMPACT_JOSE.test(value) || (value.length >= MIN_OPAQUE_CHARS && B64TOKEN.test(value))
}

export function inspectToken(input: string): TokenInspection {
  const value = input.trim()
  const notes: DecodeNote[] = value === input ? [] : [{ code: 'whitespace-trimmed', detail: 'leading/trailing whitespace removed' }]
  const notJwt = (reason: NotJwtReason, detail: string): TokenInspection => ({ kind: 'not-jwt', reason, detail, length: value.length, notes })
  if (value.length === 0) return notJwt('empty', 'the value is empty')
  if (value.length > MAX_TOKEN_CHARS) {
    return notJwt('too-large', `${value.length.toLocaleString('en')} characters; AuthLens decodes up to ${MAX_TOKEN_CHARS / 1024} KiB`)
  }
  if (/^v[1-4]\.(local|public)\./.test(value)) return { kind: 'opaque', reason: 'a PASETO token, not a JWT', length: value.length, notes }
  const segments = value.split('.')
  if (segments.length === 3) return inspectJws(value, segments as [string, string, string], notes)
  if (segments.length === 5) return inspectJwe(value, segments[0] ?? '', notes)
  const header = segments.length > 1 ? readJson(segments[0] ?? '', 'header') : null
  if (header && 'object' in header) {
    return notJwt('segment-count', `${segments.length} segments with a JOSE header; a JWS has 3 (header.payload.signature), a JWE 5`)
  }
  if (B64TOKEN.test(value) && value.length >= MIN_OPAQUE_CHARS) {
    return { kind: 'opaque', reason: 'no JOSE header: an opaque token only its issuer can read', length: value.length, notes }
  }
  return notJwt('segment-count', `${segments.length} segment${segments.length === 1 ? '' : 's'}; a JWS has 3, a JWE 5`)
}

/**
 * Values read from storage are often `JSON.stringify`-ed: `"\"eyJ…\""`. Unwraps up to two layers of
 * JSON string, then inspects.
 */
export function inspectStoredValue(input: string): TokenInspection {
  let value = input.trim()
  let layers = 0
  while (layers < 2 && value.startsWith('"') && value.endsWith('"') && value.length >= 2 && value.length <= MAX_TOKEN_CHARS + 2) {
    try {
      const parsed: unknown = JSON.parse(value)
      if (typeof parsed !== 'string') break
      value = parsed.trim()
      layers++
    } catch {
      break
    }
  }
  const inspection = inspectToken(value)
  if (layers > 0) {
    inspection.notes.push({ code: 'json-string-unwrapped', detail: `stored as a JSON string (${layers} layer${layers > 1 ? 's' : ''}); unwrapped` })
  }
  return inspection
}

type JsonRead = { object: JsonObject; duplicateKeys: string[] } | { problem: NotJwtReason; detail: string }

function inspectJws(value: string, [headerPart, payloadPart, signature]: [string, string, string], notes: DecodeNote[]): TokenInspection {
  const failed = (reason: NotJwtReason, detail: string): TokenInspection => ({ kind: 'not-jwt', reason, detail, length: value.length, notes })
  const header = readJson(headerPart, 'header')
  if ('problem' in header) return failed(header.problem, header.detail)
  const payload = readJson(payloadPart, 'payload')
  if ('problem' in payload) return failed(payload.problem, payload.detail)
  const signatureProblem = base64UrlProblem(signature)
  if (signatureProblem) return failed('bad-base64url', `signature ${signatureProblem.detail}`)
  // jwt-decode is the reader; the checks above only explain failures it would hide or mis-decode.
  let decodedHeader: unknown
  let decodedClaims: unknown
  try {
    decodedHeader = jwtDecode(value, { header: true })
    decodedClaims = jwtDecode(value)
  } catch (error) {
    return failed('not-json', error instanceof Error ? error.message : 'jwt-decode refused it')
  }
  if (!isJsonObject(decodedHeader) || !isJsonObject(decodedClaims)) return failed('not-an-object', 'header or claims are not JSON objects')
  for (const [part, read] of [['header', header], ['payload', payload]] as const) {
    if (read.duplicateKeys.length > 0) {
      notes.push({
        code: 'duplicate-keys',
        detail: `${part} repeats ${read.duplicateKeys.map((k) => JSON.stringify(k)).join(', ')}; parsers disagree on which wins (RFC 7515 §5.2)`,
      })
    }
  }
  const alg = decodedHeader['alg']
  if (typeof alg !== 'string') notes.push({ code: 'missing-alg', detail: 'the header has no "alg" (RFC 7515 §4.1.1 requires it)' })
  return {
    kind: 'jws',
    header: decodedHeader,
    claims: decodedClaims,
    signature,
    signingInput: `${headerPart}.${payloadPart}`,
    unsecured: signature === '' || (typeof alg === 'string' && alg.toLowerCase() === 'none'),
    verification: 'not-verified',
    length: value.length,
    notes,
  }
}

function inspectJwe(value: string, headerPart: string, notes: DecodeNote[]): TokenInspection {
  const header = readJson(headerPart, 'header')
  if ('object' in header && typeof header.object['enc'] === 'string') {
    return { kind: 'jwe', header: header.object, reason: 'an encrypted JWT (JWE, RFC 7516): only the recipient can read the claims', length: value.length, notes }
  }
  const detail = 'problem' in header ? `5 segments, but the header ${header.detail}` : '5 segments, but the header has no "enc": not a JWE'
  return { kind: 'not-jwt', reason: 'problem' in header ? header.problem : 'segment-count', detail, length: value.length, notes }
}

function readJson(segment: string, part: 'header' | 'payload'): JsonRead {
  const text = decodeSegmentText(segment)
  if (!text.ok) return { problem: text.problem.code, detail: `${part} ${text.problem.detail}` }
  const scan = scanJson(text.text, MAX_JSON_DEPTH)
  if (scan.tooDeep) return { problem: 'too-deep', detail: `${part} JSON nests deeper than ${MAX_JSON_DEPTH} levels` }
  let parsed: unknown
  try {
    parsed = JSON.parse(text.text)
  } catch {
    return { problem: 'not-json', detail: `${part} is not JSON` }
  }
  if (typeof parsed === 'string') {
    try {
      if (isJsonObject(JSON.parse(parsed))) return { problem: 'json-in-json-string', detail: `${part} is a JSON string that holds JSON: encoded twice` }
    } catch {
      // a plain string: reported below
    }
  }
  if (!isJsonObject(parsed)) return { problem: 'not-an-object', detail: `${part} is JSON but not an object (RFC 7519 §7.2)` }
  return { object: parsed, duplicateKeys: scan.duplicateKeys }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
