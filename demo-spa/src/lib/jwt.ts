/** A JWT split and decoded in the browser. Nothing here checks the signature: only servers can. */
export interface DecodedJwt {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  signature: string
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/

export const looksLikeJwt = (value: string): boolean => JWT_SHAPE.test(value)

function decodeSegment(segment: string): Record<string, unknown> {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=')
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes))
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object')
  return value as Record<string, unknown>
}

/** `null` for anything that is not a readable three-part JWT. */
export function decodeJwt(token: string): DecodedJwt | null {
  if (!looksLikeJwt(token)) return null
  const [header = '', claims = '', signature = ''] = token.split('.')
  try {
    return { header: decodeSegment(header), claims: decodeSegment(claims), signature }
  } catch {
    return null
  }
}

/** Long values shortened for display, keeping both ends recognisable. */
export const abbreviate = (value: string, keep = 16): string =>
  value.length <= keep * 2 + 1 ? value : `${value.slice(0, keep)}…${value.slice(-keep)}`

/** base64url without padding (RFC 4648 §5), the alphabet of JWTs, PKCE and JWK thumbprints. */
export const base64url = (data: Uint8Array): string =>
  btoa(String.fromCharCode(...data)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
