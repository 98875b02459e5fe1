/** base64url without padding (RFC 4648 §5): what JWS, PKCE, `state` and `nonce` are written in. */
export const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** 256 bits from the platform's CSPRNG: a PKCE verifier (43 characters, RFC 7636 §4.1), a `state`, a `nonce`, a `jti`. */
export const randomToken = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)))

/**
 * base64url of the SHA-256 of a text: a PKCE S256 challenge (RFC 7636 §4.2; `plain` is never
 * offered, RFC 9700 §2.1.1), a DPoP proof's `ath` (RFC 9449 §4.2).
 */
export const sha256 = async (text: string): Promise<string> => base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))))
