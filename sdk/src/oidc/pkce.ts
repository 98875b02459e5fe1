/** base64url without padding (RFC 7636 §A): what PKCE, `state` and `nonce` are written in. */
export const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** 256 bits from the platform's CSPRNG: a PKCE verifier (43 characters, RFC 7636 §4.1), a `state`, a `nonce`. */
export const randomToken = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)))

/** The S256 challenge of a verifier (RFC 7636 §4.2); `plain` is never offered (RFC 9700 §2.1.1). */
export const challengeOf = async (verifier: string): Promise<string> =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
