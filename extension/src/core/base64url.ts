/**
 * Strict base64url (RFC 7515 §2: URL-safe alphabet, no padding) and strict UTF-8. jwt-decode is
 * lenient on both: it falls back to Latin-1 when the bytes are not UTF-8, so a value it decodes
 * can still be garbage. These checks run first, so AuthLens can say why a segment is not JOSE.
 */

export type SegmentProblem =
  | { code: 'bad-base64url'; detail: string }
  | { code: 'invalid-utf8'; detail: string }

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Explains what is wrong with a segment, or returns null when it is clean base64url. */
export function base64UrlProblem(segment: string): SegmentProblem | null {
  if (segment.includes('=')) return { code: 'bad-base64url', detail: "has '=' padding, which base64url in JOSE omits (RFC 7515 §2)" }
  if (/[+/]/.test(segment)) return { code: 'bad-base64url', detail: "uses '+' or '/': standard base64, not base64url (RFC 7515 §2)" }
  const bad = segment.match(/[^A-Za-z0-9_-]/)
  if (bad) return { code: 'bad-base64url', detail: `contains ${JSON.stringify(bad[0])}, outside the base64url alphabet` }
  if (segment.length % 4 === 1) return { code: 'bad-base64url', detail: `length ${segment.length} is impossible for base64url` }
  return null
}

export function decodeBase64Url(segment: string): Uint8Array {
  const padded = segment.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (segment.length % 4)) % 4)
  const binary = atob(padded)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Decodes a base64url segment to text, or explains why it cannot be JOSE text. */
export function decodeSegmentText(segment: string): { ok: true; text: string } | { ok: false; problem: SegmentProblem } {
  const problem = base64UrlProblem(segment)
  if (problem) return { ok: false, problem }
  try {
    return { ok: true, text: utf8.decode(decodeBase64Url(segment)) }
  } catch {
    return { ok: false, problem: { code: 'invalid-utf8', detail: 'the decoded bytes are not valid UTF-8 (RFC 7515 §5.2 requires UTF-8 JSON)' } }
  }
}
